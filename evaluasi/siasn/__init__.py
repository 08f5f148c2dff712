"""SIASN (BKN's national ASN information system) integration: api-contract §6, docs/siasn.md.

One subject per module: ``config`` (per-instansi settings from the environment), ``kode`` (the code
mapping table, [VERIFY]), ``client`` (HTTP: tokens, retries, rate limit), ``payload`` (what is sent),
``kirim`` (the send run: idempotent, resumable), ``tarik`` (the read side: pegawai from data-utama),
``audit`` (the inspectors' export), ``views``/``forms`` (the admin pages).
"""
