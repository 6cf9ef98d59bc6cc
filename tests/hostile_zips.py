#!/usr/bin/env python3
"""Makes hostile variants of a good bundle for the unpack tests.

Usage: hostile_zips.py GOOD.zip OUTDIR
Writes OUTDIR/NAME.zip for each case, and OUTDIR/cases.txt with one line
per case: NAME<TAB>the message coursepack must give.  Each bundle keeps
its manifest consistent where that matters, so that only the hostile
part can be the reason for refusal.
"""
import hashlib
import os
import sys
import zipfile

good, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(good) as z:
    entries = [(i, z.read(i.filename)) for i in z.infolist()]
manifest = entries[0][1].decode()
cases = []


def listed(name, data):
    """The manifest with one more file listed."""
    line = '<file path="%s" size="%d" sha256="%s"/>\n  </files>' % (
        name.replace('&', '&amp;').replace('"', '&quot;').replace('<', '&lt;'),
        len(data), hashlib.sha256(data).hexdigest())
    return manifest.replace('</files>', line, 1)


def write(case, message, extra, list_it=True, attr=None, flag=0, deflate=False):
    name, data = extra
    path = os.path.join(out, case + '.zip')
    with zipfile.ZipFile(path, 'w') as o:
        m = listed(name, data) if list_it else manifest
        o.writestr(entries[0][0], m.encode())
        for info, d in entries[1:]:
            o.writestr(info, d)
        info = zipfile.ZipInfo(name)
        if attr is not None:
            info.create_system = 3
            info.external_attr = attr << 16
        info.flag_bits |= flag
        if deflate:
            info.compress_type = zipfile.ZIP_DEFLATED
        o.writestr(info, data)
    cases.append((case, message))


# Names a manifest could not even list (the schema refuses them), so the
# entry's own name is what is refused.
write('absolute', 'has an unsafe name', ('/tmp/evil.txt', b'x'), list_it=False)
write('dotdot', 'has an unsafe name', ('../evil.txt', b'x'))
write('dotdot-inner', 'has an unsafe name', ('assets/../../evil.txt', b'x'))
write('backslash', 'has an unsafe name', ('assets\\..\\..\\evil.txt', b'x'), list_it=False)
write('drive-letter', 'has an unsafe name', ('C:evil.txt', b'x'))
write('control-char', 'has an unsafe name', ('assets/a\x1bb.txt', b'x'), list_it=False)
write('symlink', 'is a symbolic link or other special file', ('assets/link', b'/etc/passwd'), attr=0o120777)
write('fifo', 'is a symbolic link or other special file', ('assets/fifo', b''), attr=0o010644)
write('case-collision', "differ only in case", ('INDEX.html', b'<p>x</p>'))
write('unlisted', 'is not listed in the manifest', ('assets/extra.txt', b'x'), list_it=False)
# A bomb: 200 MB of zeros, declared honestly, deflated to about 200 KB.
write('ratio-bomb', 'exceeds the limit on compression ratio', ('assets/zeros.bin', b'\0' * (200 * 1024 * 1024)),
      deflate=True)

# Duplicate names: Python warns but writes them.
import warnings
warnings.simplefilter('ignore')
path = os.path.join(out, 'duplicate.zip')
with zipfile.ZipFile(path, 'w') as o:
    for info, d in entries:
        o.writestr(info, d)
    # A fresh record with the same name (reusing the ZipInfo object would
    # make both records point at one offset: an overlap instead).
    o.writestr(zipfile.ZipInfo(entries[2][0].filename, date_time=entries[2][0].date_time), b'second copy')
cases.append(('duplicate', 'not a readable zip archive'))

# An entry marked encrypted (general purpose flag bit 0).
path = os.path.join(out, 'encrypted.zip')
with zipfile.ZipFile(path, 'w') as o:
    o.writestr(entries[0][0], listed('assets/secret.txt', b'x').encode())
    for info, d in entries[1:]:
        o.writestr(info, d)
    o.writestr(zipfile.ZipInfo('assets/secret.txt'), b'x')
raw = bytearray(open(path, 'rb').read())
for sig in (b'PK\x03\x04', b'PK\x01\x02'):
    at = raw.rfind(sig)
    off = 6 if sig == b'PK\x03\x04' else 8
    raw[at + off] |= 1
open(path, 'wb').write(bytes(raw))
cases.append(('encrypted', 'is encrypted or compressed with an unsupported method'))

# Overlapping entries: a second central-directory record pointing at the
# first entry's data under another name.  libzip does not notice.
import struct
path = os.path.join(out, 'overlap.zip')
with zipfile.ZipFile(path, 'w') as o:
    for info, d in entries:
        o.writestr(info, d)
raw = open(path, 'rb').read()
eocd = raw.rfind(b'PK\x05\x06')
n, cd_len, cd_off = struct.unpack('<HII', raw[eocd + 10:eocd + 20])
cd = raw[cd_off:cd_off + cd_len]
# The record of the last entry, copied with its name's first byte changed.
last = cd.rfind(b'PK\x01\x02')
rec = bytearray(cd[last:])
name_len = struct.unpack('<H', rec[28:30])[0]
rec[46] = ord('Z') if rec[46] != ord('Z') else ord('Y')
new_cd = cd + bytes(rec)
tail = bytearray(raw[eocd:])
struct.pack_into('<HHI', tail, 8, n + 1, n + 1, len(new_cd))
open(path, 'wb').write(raw[:cd_off] + new_cd + bytes(tail))
cases.append(('overlap', 'two entries share the same data'))

with open(os.path.join(out, 'cases.txt'), 'w') as f:
    for c, m in cases:
        f.write('%s\t%s\n' % (c, m))
