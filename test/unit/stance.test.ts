/**
 * stanceOf: debunks, denials and clarifications are `counter`; the claim itself, and chain messages that defend
 * themselves with a negated cue ("ini bukan hoaks!"), are `supports`; trusted publishers are always `counter`.
 */
import { describe, expect, it } from 'vitest';
import { stanceOf } from '../../src/transforms/stance.ts';

describe('stanceOf: counter', () => {
  it.each([
    // Fact-checker titles: the verdict mark at the start.
    ['[SALAH] Video Banjir Bandang di Jakarta Utara Tahun 2024', 'verdict mark [SALAH]'],
    ['[HOAKS] Pesan Berantai Pemilu Diundur ke 2025', 'verdict mark [HOAKS]'],
    ['  [ cek fakta ] Foto surat suara tercoblos di Bekasi', 'verdict mark [cek fakta], spaced, lower case'],
    ['HOAKS: Bansos PKH dihentikan mulai bulan depan', 'verdict mark HOAKS:'],
    ['Salah: KPU tidak pernah mengumumkan pemilu ulang', 'verdict mark Salah:'],
    ['(HOAX) Sidik jari di KTP elektronik dipakai untuk pinjol', 'verdict mark (HOAX)'],
    // Single cue words.
    ['Pesan berantai soal vaksin mengandung microchip itu hoaks ya bapak ibu', 'hoaks'],
    ['ini hoax, jgn disebar', 'hoax, slang'],
    ['HOAXXX!!! udah dicek, videonya dari 2019', 'hoax with a stretched word, shouted'],
    ['Itu h0aks gaes', 'leetspeak h0aks'],
    ['Faktanya, video tersebut direkam di Filipina, bukan di Sulawesi.', 'faktanya'],
    ['Klarifikasi Dinas Kesehatan soal isu vaksin kedaluwarsa', 'klarifikasi'],
    ['Kominfo membantah kabar pemblokiran WhatsApp mulai 1 Juli', 'membantah'],
    ['Kabar gaji ke-13 PNS dihapus dibantah Kemenkeu', 'dibantah'],
    ['Polda Metro Jaya menampik isu penculikan anak di sekolah', 'menampik'],
    ['Informasi soal TPS dipindah itu keliru', 'keliru'],
    ['Waspada disinformasi jelang pencoblosan', 'disinformasi'],
    ['#hoaks surat suara sudah dicoblos', 'hashtag #hoaks'],
    // Two-word cues.
    ['Kabar pemilu diundur TIDAK BENAR', 'tidak benar, upper case'],
    ['info tsb tdk benar ya', 'tdk benar, abbreviated'],
    ['Cek fakta: foto itu hasil suntingan', 'cek fakta'],
    ['Itu berita bohong, jangan disebarkan', 'berita bohong'],
    ['Jangan percaya pesan berantai yang mengatasnamakan Bawaslu', 'jangan percaya'],
    ['Warga diimbau jangan terprovokasi isu kerusuhan', 'jangan terprovokasi'],
    ['Mohon jangan sebarkan video itu', 'jangan sebarkan'],
    ['Fakta sebenarnya: bantuan tetap cair lewat bank', 'fakta sebenarnya'],
    ['Isi pesan itu bukan fakta', 'bukan fakta'],
  ])('%j → counter (%s)', (text) => {
    expect(stanceOf(text)).toBe('counter');
  });
});

describe('stanceOf: supports', () => {
  it.each([
    // The claim itself.
    ['Sebarkan! Mulai besok KTP lama tidak berlaku untuk mencoblos', 'plain claim'],
    ['Vaksin booster mengandung microchip, waspada bapak ibu', 'plain claim'],
    ['Beredar kabar pemilu diundur ke tahun depan', '"kabar" without "bohong"'],
    ['FAKTA: bansos dihentikan bulan depan!!', '"fakta" alone is no cue'],
    ['Salah satu TPS di Bekasi dibakar massa tadi malam', '"Salah" without a colon is not a verdict mark'],
    ['', 'empty text'],
    // Chain messages defending themselves: negated cues.
    ['Ini bukan hoaks! Sebarkan ke grup keluarga', 'bukan hoaks'],
    ['INI BUKAN HOAX, SUDAH DIKONFIRMASI ORANG DALAM', 'shouted bukan hoax'],
    ['Bukan berita bohong, sudah terjadi di kampung saya', 'bukan berita bohong'],
    ['ini bukan kabar bohong ya', 'bukan kabar bohong'],
    ['Info A1 dari KPU, tidak hoax', 'tidak hoax'],
    ['tdk hoaks, ini video asli', 'tdk hoaks'],
    ['ga hoax bro, liat aja sendiri', 'ga hoax, slang'],
    ['Gak hoaks!! Tetangga sy lihat sendiri', 'gak hoaks'],
    ['nggak hoax, serius', 'nggak hoax'],
    ['bkn hoaks, sebarin', 'bkn hoaks'],
    ['Ini bukan disinformasi, pemerintah menutupinya', 'bukan disinformasi'],
    ['#BukanHoax sebarkan sebelum dihapus', 'hashtag #BukanHoax is one token'],
    ['Pemerintah tidak klarifikasi sampai sekarang, berarti benar!', 'tidak klarifikasi'],
  ])('%j → supports (%s)', (text) => {
    expect(stanceOf(text)).toBe('supports');
  });

  it('a post that quotes "hoax" to defend itself is supports', () => {
    expect(stanceOf('"Bukan hoax", kata admin grup. Videonya asli, sebarkan!')).toBe('supports');
    expect(stanceOf('Ada yang bilang ini bukan hoaks? Memang BUKAN HOAKS, sy lihat sendiri')).toBe('supports');
    expect(stanceOf('Dijamin tidak hoax ya, sumbernya orang dalam')).toBe('supports');
  });
});

describe('stanceOf: trusted publishers', () => {
  it('is counter whatever a trusted publisher writes', () => {
    expect(stanceOf('Ini bukan hoaks! Sebarkan ke grup keluarga', true)).toBe('counter');
    expect(stanceOf('Pemungutan suara tetap 14 Februari sesuai jadwal', true)).toBe('counter');
    expect(stanceOf('', true)).toBe('counter');
  });

  it('defaults to untrusted', () => {
    expect(stanceOf('Pemungutan suara tetap 14 Februari sesuai jadwal')).toBe('supports');
    expect(stanceOf('Pemungutan suara tetap 14 Februari sesuai jadwal', false)).toBe('supports');
  });
});

describe('stanceOf: cases found in review', () => {
  it.each([
    'Kabar itu tak benar, surat suara masih disegel',
    'Berita itu gak bener, KPU sudah jelaskan',
    '#CekFakta Video ini direkam 2019 di Filipina',
    'Relawan anti hoaks menyebut video itu editan',
    '#StopHoax foto itu editan',
  ])('counter: %s', (text) => {
    expect(stanceOf(text)).toBe('counter');
  });

  it.each([
    'Ini bukan hoaks, faktanya vaksin mengandung chip!',
    'Jangan percaya media mainstream! Ini bukan hoax, sebarkan!',
    'Dibilang hoax sama pemerintah, padahal nyata',
  ])('supports (a chain message defending itself): %s', (text) => {
    expect(stanceOf(text)).toBe('supports');
  });
});
