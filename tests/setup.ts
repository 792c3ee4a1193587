// jsforce reads HTTP(S)_PROXY at import time and would tunnel even 127.0.0.1 through it.
for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[k];
