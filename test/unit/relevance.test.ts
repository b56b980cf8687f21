import { describe, expect, it } from 'vitest';
import { electionEntityNames, loadElectionConfig, parseElectionConfig, type ElectionConfigInput } from '../../src/config/election.ts';
import { PantauError } from '../../src/core/errors.ts';
import { createRelevanceMatcher, matchTokens } from '../../src/transforms/relevance.ts';
import { SAMPLE_POSTS_FILE } from '../../src/cli/paths.ts';
import { readFileSync } from 'node:fs';

const matcher = createRelevanceMatcher(loadElectionConfig());
const match = (text: string, language?: string | null) => matcher.match(text, language);

describe('the shipped pipelines/election.json', () => {
  it('is valid and lists the 38 provinces once each', () => {
    const config = loadElectionConfig();
    const provinces = config.regions.filter((r) => r.code.length === 2);
    expect(provinces).toHaveLength(38);
    expect(new Set(provinces.map((p) => p.code)).size).toBe(38);
  });

  it('marks the fictional sample contest as examples', () => {
    const config = loadElectionConfig();
    expect(config.terms.candidates.every((c) => c.example)).toBe(true);
    expect(config.regions.find((r) => r.aliases.includes('sidomulyo'))?.example).toBe(true);
  });
});

describe('relevance matching', () => {
  it('answers the same from shared tokens as from the text, for every sample post', () => {
    const samples = readFileSync(SAMPLE_POSTS_FILE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string });
    for (const { text } of samples) expect(matcher.matchTokenized(matchTokens(text), 'id')).toEqual(matcher.match(text, 'id'));
  });

  it.each([
    ['Besok jgn lupa nyoblos ya, TPS buka jam 7', ['pencoblosan', 'TPS']],
    ['Udh cek DPT blm? Cek di web KPU', ['DPT', 'KPU']],
    ['PILKADAAAA tinggal seminggu lagi!!!', ['pilkada']],
    ['p1lkada serentak 2026 makin panas', ['pilkada']],
    ['awas serangan fajar malam ini, tolak politik uang', ['serangan fajar', 'politik uang']],
    ['Debat kandidat semalam seru, paslon 02 menang telak', ['debat kandidat', 'paslon']],
    ['hasil quick count beda sama real count, sirekap error lagi', ['quick count', 'real count', 'Sirekap']],
    ['Bawaslu temukan pelanggaran di masa tenang', ['Bawaslu', 'masa tenang']],
    ['Pak Hendra Wijaya janji perbaiki jalan', ['Hendra Wijaya (01)']],
  ])('picks %j', (text, terms) => {
    const result = match(text);
    expect(result.relevant).toBe(true);
    expect(result.terms).toEqual(terms);
  });

  it('matches a hashtag written as one word by a strong alias at its start or end', () => {
    expect(match('ini buktinya #KPUCurang').terms).toEqual(['KPU']);
    expect(match('#PilkadaSerentak').relevant).toBe(true);
    expect(match('yuk #AyoMencoblos').terms).toEqual(['pencoblosan']);
  });

  describe('false positives it avoids', () => {
    it.each([
      ['pilih baju yang mana ya, bingung', 'no list has "pilih"'],
      ['PROMO partai besar diskon 30%, grosir baju anak', '"partai" alone is weak (wholesale lot)'],
      ['suaranya merdu banget, calon penyanyi terkenal nih', '"suara" and "calon" alone are in no list'],
      ['Dia orangnya pemilih soal makanan', '"pemilih" alone is weak (picky person)'],
      ['kampanye imunisasi campak di puskesmas minggu ini', '"kampanye" alone is weak (health campaign)'],
      ['cek link ini https://example.com/tps/pilkada ok', 'words inside a URL are not text'],
      ['CEK LINK INI HTTPS://EXAMPLE.COM/TPS/PILKADA', 'even when the URL is shouted'],
      ['steps https nya error', '"tps" never matches inside a word'],
      ['Pemilihan kepala desa (pilkades) di desa kami lancar', 'village-head elections are out of scope'],
      ['Pak Hendra tetangga sebelah baru beli motor', 'a first name alone is weak'],
    ])('does not pick %j (%s)', (text) => {
      expect(match(text).relevant).toBe(false);
    });

    it('lets two different weak entries together decide', () => {
      const result = match('partai itu lagi kampanye di lapangan');
      expect(result.terms).toEqual(['partai politik', 'kampanye']);
      expect(result.relevant).toBe(true);
    });

    it('counts the same weak entry twice as one', () => {
      expect(match('partai ini, partai itu, semua partai').relevant).toBe(false);
    });
  });

  it('matches multi-word phrases as one term and prefers the longest', () => {
    expect(match('surat suara sudah tercoblos').terms).toEqual(['surat suara', 'pencoblosan']);
    expect(match('Di Kepulauan Riau pemilu lancar').region).toBe('21');
    expect(match('Di Riau pemilu lancar').region).toBe('14');
    expect(match('Papua Barat Daya siap gelar pilkada').region).toBe('92');
  });

  describe('region', () => {
    it.each([
      ['KPU Jabar tetapkan jumlah TPS', '32'],
      ['logistik pemilu ke pelosok jatim', '35'],
      ['rekap suara DKI molor', '31'],
      ['Bawaslu Sulsel periksa laporan', '73'],
      ['pilkada Kab. Sidomulyo memanas', '3599'],
      ['pilkada Sidomulyo, Jawa Timur', '3599'],
    ])('reads %j as %s', (text, code) => {
      expect(match(text).region).toBe(code);
    });

    it('is null when two places are named or none', () => {
      expect(match('KPU Jabar dan KPU Jateng rapat bersama').region).toBeNull();
      expect(match('KPU rapat pleno').region).toBeNull();
    });

    it('does not make a post relevant on its own', () => {
      const result = match('liburan ke Bali seru banget');
      expect(result).toEqual({ relevant: false, terms: [], region: '51' });
    });
  });

  it('refuses posts in a language that is not accepted, and accepts unknown ones', () => {
    expect(match('pilkada', 'id').relevant).toBe(true);
    expect(match('pilkada', 'jv').relevant).toBe(true);
    expect(match('pilkada', 'fr').relevant).toBe(false);
    expect(match('pilkada', null).relevant).toBe(true);
  });

  it('matches thousands of posts per second', () => {
    const texts = ['SEBARKAN!!! Surat suara sudah dicoblos di gudang KPU Sidomulyo', 'makan siang apa ya hari ini', 'Debat pilgub semalam di Jabar seru'];
    const start = performance.now();
    let n = 0;
    for (; n < 30_000; n += texts.length) for (const t of texts) matcher.match(t);
    expect(n / ((performance.now() - start) / 1000)).toBeGreaterThan(5_000);
  });
});

describe('election config validation', () => {
  const minimal = (): ElectionConfigInput => ({
    version: 1,
    languages: { accepted: ['id'] },
    terms: { process: [{ name: 'pemilu', aliases: ['pemilu'] }] },
  });

  it('refuses unknown keys, naming them', () => {
    expect(() => parseElectionConfig({ ...minimal(), keywords: [] }, 'test')).toThrow(/keywords/);
  });

  it('refuses an entry without aliases and a name used twice', () => {
    const config = minimal();
    config.terms.process = [{ name: 'pemilu' }, { name: 'x', aliases: ['a'] }, { name: 'x', aliases: ['b'] }];
    let error: unknown;
    try {
      parseElectionConfig(config, 'test');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PantauError);
    expect((error as PantauError).stage).toBe('config');
    expect((error as Error).message).toMatch(/terms\.process\.0: an entry needs at least one alias/);
    expect((error as Error).message).toMatch(/name "x" is already used/);
  });

  it('refuses a regency without its province and a bad code', () => {
    expect(() => parseElectionConfig({ ...minimal(), regions: [{ code: '3599', name: 'X', aliases: ['x'] }] }, 'test')).toThrow(/needs its province 35/);
    expect(() => parseElectionConfig({ ...minimal(), regions: [{ code: '3', name: 'X', aliases: ['x'] }] }, 'test')).toThrow(/regions\.0\.code/);
  });

  it('refuses one alias claimed by two entries, and aliases that can never match', () => {
    const clash = parseElectionConfig({ ...minimal(), regions: [{ code: '32', name: 'Jawa Barat', aliases: ['PEMILU'] }] });
    expect(() => createRelevanceMatcher(clash)).toThrow(/"PEMILU".*already claimed by term "pemilu"/);
    const numeric = parseElectionConfig({ ...minimal(), terms: { process: [{ name: 'nomor', aliases: ['01'] }] } });
    expect(() => createRelevanceMatcher(numeric)).toThrow(/numbers, mentions and URLs are not matched/);
  });
});

describe('electionEntityNames', () => {
  it('gives the candidates\' aliases (weak ones too) and the parties\' aliases, to mask as names', () => {
    const names = electionEntityNames(loadElectionConfig());
    expect(names).toEqual(expect.arrayContaining(['hendra wijaya', 'pak hendra', 'sri lestari', 'partai contoh satu']));
    expect(names).not.toContain('partai'); // a party's weak alias is an everyday word
    expect(names).not.toContain('kpu'); // institutions are not names to hide: they are what posts are about
  });
});
