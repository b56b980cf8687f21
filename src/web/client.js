// The browser side both pages share (served as /client.js, an ES module): the workspace (/app) and the leadership
// dashboard (/) call the API the same way (the session's CSRF token on every change, failures in Indonesian, a 401
// ends the session on the page) and sign in with the same form (#login-form with #login-username, #login-password,
// #login-error, #login-submit).
/* global document, fetch */

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** An Indonesian message for a failed request; the API's own message (`{error}`) where it has one. */
export function describeFailure(status, serverMessage, retryAfter) {
  const own = serverMessage ? String(serverMessage) : '';
  switch (status) {
    case 400: return own ? `Isian tidak valid: ${own}` : 'Isian tidak valid.';
    case 401: return own || 'Anda belum masuk atau sesi sudah berakhir.';
    case 403: return own ? `Akses ditolak: ${own}` : 'Akses ditolak untuk peran Anda.';
    case 404: return own ? `Tidak ditemukan: ${own}` : 'Data tidak ditemukan.';
    case 409: return own || 'Data berubah atau sedang ditangani orang lain. Muat ulang lalu coba lagi.';
    case 413: return 'Isian terlalu besar.';
    case 415: return 'Format permintaan tidak didukung.';
    case 429: {
      const seconds = Number(retryAfter);
      const wait = Number.isFinite(seconds) && seconds > 0 ? ` Coba lagi dalam ${seconds} detik.` : ' Coba lagi sebentar lagi.';
      return `${own || 'Terlalu banyak permintaan.'}${own && !/[.!?]$/.test(own) ? '.' : ''}${wait}`;
    }
    case 502:
    case 503:
    case 504: return 'Basis data (Elasticsearch) sedang tidak dapat dihubungi. Coba lagi sebentar lagi.';
    case 500: return 'Terjadi galat di server. Coba lagi; bila berulang, hubungi admin.';
    default: return own ? `Permintaan gagal (HTTP ${status}): ${own}` : `Permintaan gagal (HTTP ${status}).`;
  }
}

/**
 * The page's API call. `csrf()` gives the session's token (sent on every method but GET and HEAD); a 401, outside
 * the sign-in and the session check on load (`quiet401`), calls `onSessionEnded` with a message for the login form.
 */
export function createApi({ csrf, onSessionEnded }) {
  return async function api(method, path, body, { quiet401 = false, keepalive = false } = {}) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = csrf();
    if (method !== 'GET' && method !== 'HEAD' && token) headers['x-csrf-token'] = token;
    let res;
    try {
      res = await fetch(path, { method, headers, credentials: 'same-origin', keepalive, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch {
      throw new ApiError(0, 'Tidak dapat terhubung ke server. Periksa jaringan lalu coba lagi.');
    }
    if (res.status === 204) return null;
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      const own = data && typeof data.error === 'string' ? data.error : '';
      const error = new ApiError(res.status, describeFailure(res.status, own, res.headers.get('retry-after')));
      if (res.status === 401 && !quiet401) onSessionEnded('Sesi Anda berakhir. Silakan masuk lagi.');
      throw error;
    }
    return data;
  };
}

/** The sign-in form's submit handler: checks the fields, signs in, hands the session to `onSignedIn`. */
export function signInHandler(api, onSignedIn) {
  const $ = (id) => document.getElementById(id);
  return async function signIn(event) {
    event.preventDefault();
    const username = $('login-username').value.trim();
    const password = $('login-password').value;
    const errorEl = $('login-error');
    if (!username || !password) {
      errorEl.textContent = !username ? 'Isi nama pengguna.' : 'Isi kata sandi.';
      (!username ? $('login-username') : $('login-password')).focus();
      return;
    }
    const button = $('login-submit');
    button.disabled = true;
    button.textContent = 'Memproses…';
    errorEl.textContent = '';
    try {
      const session = await api('POST', '/api/session', { username, password }, { quiet401: true });
      $('login-password').value = '';
      await onSignedIn(session);
    } catch (error) {
      errorEl.textContent = error.status === 401 ? 'Nama pengguna atau kata sandi salah.' : error.message;
      $('login-password').value = '';
      $('login-password').focus();
    } finally {
      button.disabled = false;
      button.textContent = 'Masuk';
    }
  };
}
