/**
 * Brief data for the renderers' tests: an ordinary day, and a day with everything at its longest (long
 * narratives, forty clarifications, a dozen units, emoji and characters Helvetica lacks).
 */
import type { BriefData } from '../../src/brief/brief-data.ts';

export const XSS_NARRATIVE = '<script>alert("x")</script> Surat suara & kotak "dibuka" malam-malam';

export function ordinaryBrief(): BriefData {
  return {
    date: '2026-11-30',
    previousDate: '2026-11-29',
    stages: ['Masa kampanye'],
    figures: [
      { key: 'posts', name: 'Unggahan dipantau', value: 12_480, previous: 10_400, change: 0.2 },
      { key: 'flagged', name: 'Unggahan ditandai', value: 312, previous: 390, change: -0.2 },
      { key: 'narratives', name: 'Narasi ditandai', value: 41, previous: 41, change: 0 },
    ],
    labels: {
      rows: [
        { key: 'hoax', name: 'Hoaks', posts: 201 },
        { key: 'hate_speech', name: 'Ujaran kebencian', posts: 88 },
        { key: 'sara', name: 'Provokasi SARA', posts: 40 },
      ],
      flagged: 312,
      multiLabel: 17,
    },
    provinces: [
      { name: 'Jawa Timur', flagged: 96 },
      { name: 'DKI Jakarta', flagged: 71 },
      { name: 'Sumatera Utara', flagged: 33 },
    ],
    narratives: [
      { text: 'Surat suara di TPS 12 sudah dicoblos sebelum hari pemungutan, sebarkan!', accounts: 140, posts: 210, shares: 1_830, views: 52_000, labels: ['Hoaks'], status: 'countered' },
      { text: XSS_NARRATIVE, accounts: 90, posts: 120, shares: 400, views: 9_000, labels: ['Hoaks'], status: 'new' },
      { text: 'Bansos hanya untuk golongan mereka, usir saja', accounts: 61, posts: 75, shares: 220, views: 4_100, labels: ['Ujaran kebencian', 'Provokasi SARA'], status: 'acknowledged' },
      { text: 'Kotak suara di gudang KPU dibuka malam-malam', accounts: 30, posts: 33, shares: 58, views: 1_900, labels: ['Hoaks'], status: 'none' },
      { text: 'TPS di balai desa dipindah mendadak tanpa pemberitahuan', accounts: 12, posts: 14, shares: 9, views: 300, labels: ['Hoaks'], status: 'closed' },
    ],
    openAlerts: {
      total: 9,
      new: 4,
      acknowledged: 5,
      units: [
        { name: 'Humas Komdigi', new: 3, acknowledged: 2 },
        { name: 'Humas Bawaslu', new: 1, acknowledged: 3 },
      ],
      sinceDays: 90,
    },
    clarifications: [
      { title: 'Surat suara sudah dicoblos sebelum hari pemungutan', by: 'KPU RI', url: 'https://kpu.example.go.id/klarifikasi/surat-suara', verdict: 'hoaks', source: 'kb', at: '2026-11-30T03:00:00.000Z' },
      { title: 'Narasi kotak suara dibuka di gudang', by: 'Humas Bawaslu', url: 'https://bawaslu.example.go.id/kontra/kotak-suara', verdict: null, source: 'desk', at: '2026-11-30T02:00:00.000Z' },
    ],
    precision: { days: 30, confirmed: 46, dismissed: 4, n: 50, precision: 0.92, low: 0.81, high: 0.97 },
    generatedAt: '2026-12-01T00:00:05.000Z',
  };
}

const LONG = 'Beredar kabar bahwa ribuan surat suara yang sudah dicoblos untuk salah satu pasangan calon ditemukan di gudang logistik kecamatan, lengkap dengan video dan foto yang disebut sebagai bukti, dan warga diminta menyebarkan pesan ini ke semua grup keluarga sebelum dihapus oleh pihak berwenang 😡🔥🗳️ 𝐒𝐄𝐁𝐀𝐑𝐊𝐀𝐍 ṡekarang → ';

export function longBrief(): BriefData {
  const base = ordinaryBrief();
  return {
    ...base,
    stages: ['Masa tenang', 'Pemungutan dan penghitungan suara di TPS'],
    labels: { ...base.labels, rows: [...base.labels.rows, { key: 'abusive', name: 'Kata kasar', posts: 12 }] },
    provinces: [
      { name: 'Kepulauan Bangka Belitung', flagged: 96 },
      { name: 'Daerah Istimewa Yogyakarta', flagged: 71 },
      { name: 'Nusa Tenggara Timur', flagged: 33 },
    ],
    narratives: base.narratives.map((n, i) => ({ ...n, text: `${i + 1} ${LONG.repeat(3)}`, labels: ['Hoaks', 'Ujaran kebencian', 'Provokasi SARA', 'Kata kasar'], accounts: 123_456_789, views: 987_654_321 })),
    openAlerts: {
      total: 240,
      new: 120,
      acknowledged: 120,
      units: Array.from({ length: 12 }, (_, i) => ({ name: `Humas Pemerintah Provinsi Nomor ${i + 1} dengan Nama yang Sangat Panjang Sekali`, new: 10, acknowledged: 10 })),
      sinceDays: 90,
    },
    clarifications: Array.from({ length: 40 }, (_, i) => ({
      title: `${i + 1}. [HOAKS] ${LONG}`,
      by: 'Kementerian Komunikasi dan Digital Republik Indonesia',
      url: `https://komdigi.example.go.id/berita/klarifikasi-hoaks/${'sangat-panjang-'.repeat(6)}${i}`,
      verdict: 'disinformasi',
      source: 'kb' as const,
      at: '2026-11-30T03:00:00.000Z',
    })),
  };
}
