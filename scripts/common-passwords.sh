#!/bin/sh
# Regenerates crates/ipfin-domain/data/common-passwords.txt, the list of common passwords that
# new passwords are checked against (ipfin_domain::password).
#
# Source: the 20,000 most common passwords compiled by Royce Williams as shipped by Django
# (django/contrib/auth/common-passwords.txt.gz, Django 5.2.20 from PyPI, BSD licence;
# 19,640 distinct lines, lower case, one per line, most common first). The wheel's SHA-256 is
# checked so the list is reproducible byte for byte.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pip download --quiet --no-deps django==5.2.20 -d "$tmp"
echo "3b06f7a4843dea6bc14e33daf2044a40dc6df8c2105765ea03a29c64b61be0e0  $tmp/django-5.2.20-py3-none-any.whl" | sha256sum -c -
python3 - "$tmp/django-5.2.20-py3-none-any.whl" "$here/crates/ipfin-domain/data/common-passwords.txt" <<'PY'
import gzip, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    data = gzip.decompress(z.read("django/contrib/auth/common-passwords.txt.gz"))
open(sys.argv[2], "wb").write(data)
PY
wc -l "$here/crates/ipfin-domain/data/common-passwords.txt"
