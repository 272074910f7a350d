import { loadConfig, redact } from '../../api/src/config.js';

describe('configuration', () => {
  it('should default to the embedded database on 127.0.0.1:3000', () => {
    // when
    const config = loadConfig({});

    // then
    expect(config).toEqual({
      dataDir: './data',
      port: 3000,
      host: '127.0.0.1',
      logLevel: 'info',
      engineStepLimit: 10000,
      schedulerIntervalMs: 1000,
      publicUrl: 'http://127.0.0.1:3000',
      // the embedded trial installation signs people in through the development login
      devLogin: true,
      publicRateLimit: 300,
      maxUploadBytes: 10 * 1024 * 1024,
    });
  });

  it('should treat empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' })).toMatchObject({ port: 3000 });
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('should accept a full production configuration', () => {
    // when
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:secret@db:5432/pp',
      DATA_DIR: '/var/lib/prozessplattform',
      REDIS_URL: 'redis://redis:6379',
      PORT: '8080',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'warn',
      ENGINE_STEP_LIMIT: '5000',
      SCHEDULER_INTERVAL_MS: '250',
      PUBLIC_URL: 'https://antrag.muenchen.de',
      STAFF_OIDC_ISSUER: 'https://login.muenchen.de/realms/verwaltung',
      STAFF_OIDC_AUDIENCE: 'prozessplattform',
      CITIZEN_OIDC_ISSUER: 'https://id.bund.de',
      CITIZEN_OIDC_AUDIENCE: 'antrag-muenchen',
      CITIZEN_OIDC_JWKS_URI: 'https://id.bund.de/jwks',
      PUBLIC_RATE_LIMIT: '60',
      MAX_UPLOAD_BYTES: '20000000',
    });

    // then
    expect(config).toEqual({
      databaseUrl: 'postgres://app:secret@db:5432/pp',
      dataDir: '/var/lib/prozessplattform',
      redisUrl: 'redis://redis:6379',
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'warn',
      engineStepLimit: 5000,
      schedulerIntervalMs: 250,
      publicUrl: 'https://antrag.muenchen.de',
      staffIssuer: { issuer: 'https://login.muenchen.de/realms/verwaltung', audience: 'prozessplattform' },
      citizenIssuer: { issuer: 'https://id.bund.de', audience: 'antrag-muenchen', jwksUri: 'https://id.bund.de/jwks' },
      // with a real database the development login stays off unless enabled explicitly
      devLogin: false,
      publicRateLimit: 60,
      maxUploadBytes: 20_000_000,
    });
  });

  it('should enable the development login outside embedded mode only when asked to', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/pp', DEV_LOGIN: 'true' }).devLogin).toBe(true);
    expect(loadConfig({ DEV_LOGIN: 'false' }).devLogin).toBe(false);
  });

  it.each([
    ['DATABASE_URL', 'mysql://localhost/db', /a PostgreSQL URL/],
    ['DATABASE_URL', 'postgres://', /a PostgreSQL URL/],
    ['DATABASE_URL', 'postgres://db:port/pp', /a PostgreSQL URL/],
    ['REDIS_URL', 'localhost:6379', /a Redis URL/],
    ['REDIS_URL', 'http://redis:6379', /a Redis URL/],
    ['PORT', 'eighty', /a port number between 1 and 65535/],
    ['PORT', '0', /a port number between 1 and 65535/],
    ['PORT', '70000', /a port number between 1 and 65535/],
    ['HOST', 'http://0.0.0.0', /an interface address/],
    ['LOG_LEVEL', 'chatty', /one of fatal, error, warn, info, debug, trace, silent/],
    ['ENGINE_STEP_LIMIT', '-5', /a positive integer/],
    ['ENGINE_STEP_LIMIT', '1e4', /a positive integer/],
    ['SCHEDULER_INTERVAL_MS', '0', /a positive integer \(milliseconds\)/],
    ['PUBLIC_URL', 'https://antrag.muenchen.de/', /without a trailing slash/],
    ['STAFF_OIDC_ISSUER', 'login.muenchen.de', /issuer URL of the staff identity provider/],
    ['DEV_LOGIN', 'yes', /true or false/],
    ['MAX_UPLOAD_BYTES', '10MB', /a positive integer \(bytes\)/],
  ])('should refuse %s=%s with a message naming the variable', (name, value, expectation) => {
    // when
    const load = () => loadConfig({ [name]: value });

    // then
    expect(load).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(load).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}: expected .*but got '${value}'\\.$`));
    expect(load).toThrow(expectation);
  });

  it('should name every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'loud', REDIS_URL: 'nope' })).toThrow(
      /REDIS_URL: .*\n {2}PORT: .*\n {2}LOG_LEVEL: /,
    );
  });

  it('should not repeat a password in the message', () => {
    // when
    const load = () => loadConfig({ DATABASE_URL: 'mysql://app:hunter2@db/pp' });

    // then
    expect(load).toThrow("but got 'mysql://app:***@db/pp'");
    expect(load).not.toThrow(/hunter2/);
  });

  it('should redact only the password of a URL', () => {
    expect(redact('postgres://app:s3cr:et@db:5432/pp')).toBe('postgres://app:***@db:5432/pp');
    expect(redact('postgres://app@db/pp')).toBe('postgres://app@db/pp');
    expect(redact('./data')).toBe('./data');
  });
});
