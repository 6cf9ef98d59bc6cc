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
import struct
import sys
import zipfile
import zlib

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


def write(case, message, extra, list_it=True, attr=None, flag=0, deflate=False, host=3, low=0, ef=b'',
          before=(), zip64=False):
    """A good bundle plus one entry (name, data), the last one, with the
    given mode (attr), made-by host, DOS attributes (low), general
    purpose flags and extra field; `before`: more (name, data) entries,
    listed, written before it."""
    name, data = extra
    path = os.path.join(out, case + '.zip')
    with zipfile.ZipFile(path, 'w') as o:
        m = manifest
        for n, d in before:
            m = listed_in(m, n, d)
        if list_it:
            m = listed_in(m, name, data)
        o.writestr(entries[0][0], m.encode())
        for info, d in entries[1:]:
            o.writestr(info, d)
        for n, d in before:
            o.writestr(zipfile.ZipInfo(n, date_time=entries[1][0].date_time), d)
        info = zipfile.ZipInfo(name)
        if attr is not None:
            info.external_attr = attr << 16
        info.external_attr |= low
        info.flag_bits |= flag
        info.extra = ef
        if deflate:
            info.compress_type = zipfile.ZIP_DEFLATED
        if zip64:
            with o.open(info, 'w', force_zip64=True) as f:
                f.write(data)
        else:
            o.writestr(info, data)
    # zipfile sets the host when it writes the central directory: patch it.
    if host != 3:
        patch_last(path, lambda raw, cd, lh: raw.__setitem__(cd + 5, host))
    if message:
        cases.append((case, message))
    return path


def listed_in(m, name, data):
    line = '<file path="%s" size="%d" sha256="%s"/>\n  </files>' % (
        name.replace('&', '&amp;').replace('"', '&quot;').replace('<', '&lt;'),
        len(data), hashlib.sha256(data).hexdigest())
    return m.replace('</files>', line, 1)


def patch_last(path, fn):
    """fn(raw, at_central_record, at_local_header) edits the last entry's
    headers in place."""
    raw = bytearray(open(path, 'rb').read())
    eocd = raw.rfind(b'PK\x05\x06')
    cd_len, cd_off = struct.unpack('<II', raw[eocd + 12:eocd + 20])
    cd = raw.rfind(b'PK\x01\x02', cd_off, cd_off + cd_len)
    lh = struct.unpack('<I', raw[cd + 42:cd + 46])[0]
    fn(raw, cd, lh)
    open(path, 'wb').write(bytes(raw))


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

# --- the end record: one, last, without a comment ---------------------------
# A stored entry whose data hold another entry's local header and data,
# and a central-directory record for that inner entry: honestly, its
# overlap is refused.  Disguised: the real end record gets a comment that
# is itself an empty end record; the layout check took the last record
# (no entries, nothing to overlap) while libzip read the real directory,
# so both entries got past the overlap check.
def carrier(case, message, comment=b''):
    inner_name, inner = b'assets/inner.txt', b'inner text\n'
    lh = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, 0x21, zlib.crc32(inner), len(inner), len(inner),
                     len(inner_name), 0) + inner_name + inner
    data = b'x' * 16 + lh + b'y' * 16
    path = os.path.join(out, case + '.zip')
    m = listed_in(listed_in(manifest, 'assets/carrier.bin', data), inner_name.decode(), inner)
    with zipfile.ZipFile(path, 'w') as o:
        o.writestr(entries[0][0], m.encode())
        for info, d in entries[1:]:
            o.writestr(info, d)
        o.writestr(zipfile.ZipInfo('assets/carrier.bin', date_time=entries[1][0].date_time), data)
    raw = open(path, 'rb').read()
    eocd = raw.rfind(b'PK\x05\x06')
    n, cd_len, cd_off = struct.unpack('<HII', raw[eocd + 10:eocd + 20])
    cd = raw[cd_off:cd_off + cd_len]
    off = struct.unpack('<I', cd[cd.rfind(b'PK\x01\x02') + 42:][:4])[0]
    at = off + 30 + sum(struct.unpack('<HH', raw[off + 26:off + 30])) + 16
    rec = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 0x031e, 20, 0, 0, 0, 0x21, zlib.crc32(inner), len(inner),
                      len(inner), len(inner_name), 0, 0, 0, 0, 0o100644 << 16, at) + inner_name
    end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, n + 1, n + 1, cd_len + len(rec), cd_off, len(comment))
    open(path, 'wb').write(raw[:cd_off] + cd + rec + end + comment)
    cases.append((case, message))


EMPTY_EOCD = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0, 0, 0, 0, 0)
carrier('overlap-stored-header', 'two entries share the same data')
carrier('overlap-disguised-eocd', 'end-of-central-directory record has a comment', comment=EMPTY_EOCD)
# Any comment: our writer never adds one.
path = os.path.join(out, 'eocd-comment.zip')
with zipfile.ZipFile(path, 'w') as o:
    for info, d in entries:
        o.writestr(info, d)
    o.comment = b'a comment'
cases.append(('eocd-comment', 'end-of-central-directory record has a comment'))
# An empty end record in the data of the last entry, within the stretch
# where readers look for one: libzip tries every signature there.
write('eocd-in-data', 'a second end-of-central-directory record', ('assets/tail.bin', b'z' * 10 + EMPTY_EOCD + b'z' * 10))
# Bytes after the end record.
path = os.path.join(out, 'eocd-trailing.zip')
with zipfile.ZipFile(path, 'w') as o:
    for info, d in entries:
        o.writestr(info, d)
open(path, 'ab').write(b'trailing bytes')
cases.append(('eocd-trailing', 'bytes follow its end-of-central-directory record'))

# --- file types, whatever host made the archive ------------------------
# Debian's unzip makes a link of mode 0120777 for VMS, Atari, BeOS and
# others too, so the host must not matter.
SPECIAL = 'is a symbolic link or other special file'
for host, hname in ((0, 'fat'), (2, 'vms'), (5, 'atari'), (11, 'ntfs'), (16, 'beos'), (19, 'macos'), (30, 'unknown')):
    write('symlink-' + hname, SPECIAL, ('assets/link.svg', b'/etc/passwd'), attr=0o120777, host=host)
write('chardev', SPECIAL, ('assets/tty', b''), attr=0o020644)
write('blockdev-vms', SPECIAL, ('assets/sda', b''), attr=0o060644, host=2)
write('socket', SPECIAL, ('assets/sock', b''), attr=0o140644)
write('reparse-point', SPECIAL, ('assets/link.svg', b'/etc/passwd'), host=0, low=0x400 | 0x20)
# An ASi Unix extra field (0x756e): CRC, mode, sizdev, uid, gid, target.
asi = struct.pack('<HHIIIHH', 0x756e, 14 + 11, 0, 0o120777, 0, 0, 0)[:-0] + b''
body = struct.pack('<HIHH', 0o120777, 11, 0, 0) + b'/etc/passwd'
asi = struct.pack('<HHI', 0x756e, 4 + len(body), zlib.crc32(body)) + body
write('asi-symlink', SPECIAL, ('assets/link.svg', b'/etc/passwd'), attr=0o100644, ef=asi)
MODE = 'has file mode'
write('setuid', MODE, ('assets/run.sh', b'#!/bin/sh\n'), attr=0o104755)
write('sticky-folder', MODE, ('assets/tmp/', b''), attr=0o041777, list_it=False)
write('setgid-without-type', MODE, ('assets/a.txt', b'x'), attr=0o002644)
write('folder-mode-on-file', MODE, ('assets/a.txt', b'x'), attr=0o040755)
write('file-mode-on-folder', MODE, ('assets/d/', b''), attr=0o100644, list_it=False)

# The manifest itself as a link: bundle_open reads it as data, unzip
# would make a link.
path = os.path.join(out, 'manifest-symlink.zip')
with zipfile.ZipFile(path, 'w') as o:
    info = zipfile.ZipInfo('manifest.xml', date_time=entries[0][0].date_time)
    info.external_attr = 0o120777 << 16
    o.writestr(info, manifest.encode())
    for info, d in entries[1:]:
        o.writestr(info, d)
cases.append(('manifest-symlink', "entry 'manifest.xml' is a symbolic link or other special file"))

# --- a name that is a file and a folder; the defect in the last entry -----
FOLDER = 'is a file, and also the folder of'
write('file-then-folder', FOLDER, ('index.html/x.txt', b'x'))
write('folder-entry-on-file', FOLDER, ('style.css/', b''), list_it=False)
write('folder-then-file', FOLDER, ('assets/zz', b'x'), before=[('assets/zz/a.txt', b'a')])
write('file-folder-case', FOLDER, ('Index.html/x.txt', b'x'))

# --- names that are one file on Windows or macOS ---------------------------
SAME = 'differ only in Unicode case or normalization'
write('fold-accents', SAME, ('assets/ÉTÉ.txt', b'2'), before=[('assets/été.txt', b'1')])
write('fold-dz', SAME, ('assets/ǅ.txt', b'2'), before=[('assets/ǆ.txt', b'1')])
write('fold-sigma', SAME, ('assets/ς.txt', b'2'), before=[('assets/σ.txt', b'1')])
write('fold-kelvin', SAME, ('assets/\u212a.txt', b'2'), before=[('assets/k.txt', b'1')])
write('fold-nfd', SAME, ('assets/e\u0301te\u0301.txt', b'2'), before=[('assets/été.txt', b'1')])
write('fold-nfd-case', SAME, ('assets/E\u0301TE\u0301.txt', b'2'), before=[('assets/été.txt', b'1')])
write('fold-hangul', SAME, ('assets/\u1112\u1161\u11ab.txt', b'2'), before=[('assets/한.txt', b'1')])
# Two combining marks in either order are canonically equivalent (dot
# below, class 220, and dot above, 230): one file on macOS.  Composed
# and decomposed with the marks in the other order, too.
write('fold-mark-order', SAME, ('assets/s\u0307\u0323.txt', b'2'), before=[('assets/s\u0323\u0307.txt', b'1')])
write('fold-mark-order-composed', SAME, ('assets/\u1e69.txt', b'2'), before=[('assets/s\u0307\u0323.txt', b'1')])
write('fold-mark-order-case', SAME, ('assets/\u1e68.txt', b'2'), before=[('assets/s\u0307\u0323.txt', b'1')])
write('fold-folder-case', "differ only in case", ('ASSETS/x.txt', b'2'), before=[('assets/x.txt', b'1')])

# --- ZIP64, by name --------------------------------------------------------
write('zip64-local', 'ZIP64 is not supported', ('assets/small.txt', b'small'), zip64=True)
z64 = struct.pack('<HHQQ', 1, 16, 5, 5)
write('zip64-extra', 'ZIP64 is not supported', ('assets/small.txt', b'small'), ef=z64)
# The case found: sizes 0xffffffff in the central directory, the real
# ones in a ZIP64 extra field (read before as data running into the
# central directory).
path = write('zip64-central-markers', None, ('assets/small.txt', b'small'), ef=z64)
patch_last(path, lambda r, c, l: r.__setitem__(slice(c + 20, c + 28), b'\xff' * 8))
cases.append(('zip64-central-markers', 'ZIP64 is not supported'))
path = write('zip64-eocd', None, ('assets/small.txt', b'small'))
raw = open(path, 'rb').read()
eocd = raw.rfind(b'PK\x05\x06')
n, cd_len, cd_off = struct.unpack('<HII', raw[eocd + 10:eocd + 20])
rec = struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, n, n, cd_len, cd_off)
loc = struct.pack('<IIQI', 0x07064b50, 0, eocd, 1)
open(path, 'wb').write(raw[:eocd] + rec + loc + raw[eocd:])
cases.append(('zip64-eocd', 'ZIP64 is not supported'))

# --- headers that disagree, damaged extra fields, damaged data -------------
def local_only(case, message, fn, **kw):
    """The extra entry, then fn(raw, central record, local header)."""
    path = write(case, None, ('assets/extra.txt', b'some text'), **kw)
    patch_last(path, fn)
    cases.append((case, message))


DISAGREE = 'its local header and the central directory disagree on'
local_only('local-encrypted', DISAGREE, lambda r, c, l: r.__setitem__(l + 6, r[l + 6] | 1))
local_only('local-descriptor', DISAGREE, lambda r, c, l: r.__setitem__(l + 6, r[l + 6] | 8))
local_only('local-method', DISAGREE, lambda r, c, l: r.__setitem__(l + 8, 8))
local_only('local-name', DISAGREE, lambda r, c, l: r.__setitem__(l + 30, ord('A')))
local_only('local-crc', DISAGREE, lambda r, c, l: r.__setitem__(l + 14, r[l + 14] ^ 0xff))
local_only('local-size', DISAGREE, lambda r, c, l: r.__setitem__(l + 22, r[l + 22] + 1))


def both_crc(r, c, l):
    for at in (c + 16, l + 14):
        r[at] ^= 0x55


local_only('crc', 'does not match its CRC-32', both_crc)
local_only('crc-deflated', 'does not match its CRC-32', both_crc, deflate=True)
write('extra-overrun', 'an extra field runs past its header', ('assets/extra.txt', b'x'),
      ef=struct.pack('<HH', 0x9999, 40) + b'short')
up = b'../evil.txt'
write('unicode-path', 'its Unicode path extra field names another file', ('assets/extra.txt', b'x'),
      ef=struct.pack('<HHBI', 0x7075, 5 + len(up), 1, zlib.crc32(b'assets/extra.txt')) + up)

def not_utf8(r, c, l):
    r[c + 46 + 7] = 0xff
    r[l + 30 + 7] = 0xff


local_only('name-not-utf8', 'has an unsafe name', not_utf8, list_it=False)

# --- bundles that must still pass: the rule is about bits, not hosts -------
good_cases = []


def good(case, *a, **kw):
    write(case, None, *a, **kw)
    good_cases.append(case)


good('good-vms-regular', ('assets/plain.txt', b'x'), attr=0o100644, host=2)
good('good-mode-without-type', ('assets/plain.txt', b'x'), attr=0o000644)
good('good-fat-no-mode', ('assets/plain.txt', b'x'), attr=0, host=0, low=0x20)
good('good-folder-entry', ('assets/new/', b''), attr=0o040755, low=0x10, list_it=False)
good('good-sharp-s', ('assets/strasse.txt', b'2'), before=[('assets/straße.txt', b'1')])
# Two marks of one class (acute and grave, both 230) in another order are
# not equivalent: two files everywhere.
good('good-mark-order-same-class', ('assets/e\u0301\u0300.txt', b'2'), before=[('assets/e\u0300\u0301.txt', b'1')])
good('good-similar-names', ('assets/a.txt', b'2'), before=[('assets/a', b'1'), ('assets/a-b/c', b'3')])
with open(os.path.join(out, 'good.txt'), 'w') as f:
    for c in good_cases:
        f.write(c + '\n')

with open(os.path.join(out, 'cases.txt'), 'w') as f:
    for c, m in cases:
        f.write('%s\t%s\n' % (c, m))
