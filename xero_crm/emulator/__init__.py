"""A local stand-in for Xero, for the demo, the tests and the benchmarks; imports no `frappe`.

- `process`: starts xero-local (PyPI `localstack-xero`, the optional extra `xero_crm[demo]`) on
  127.0.0.1;
- `peer`: an HTTP peer in front of it that adds what the emulator lacks (`/Organisation`, revocation,
  an id_token with an email, `IDs=`/`pageSize`/`If-Modified-Since`) and faults on cue for the tests;
- `seed`: writes contacts, invoices and payments into it over its HTTP API, shaped as Xero takes them.
"""
