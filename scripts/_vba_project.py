"""Rewrite a VBA project (``xl/vbaProject.bin``) with new module source, following [MS-OVBA] and [MS-CFB].

Used by ``make_desktop_workbook.py``: no VBA editor exists where the workbook is
built, so the project that ``xlwings quickstart`` ships is taken apart and put
back together with our module text:

* every module stream holds only its compressed source (``MODULEOFFSET`` = 0,
  no compiled p-code); a module whose text is not replaced keeps the compressed
  source Office wrote (the embedded xlwings module is 45 KB of text);
* ``VBA/_VBA_PROJECT`` is the 7-byte form [MS-OVBA] 2.3.4.1 prescribes for
  writers (version ``0xFFFF``, no performance cache), which tells Office that
  no compiled code matches this project, so it compiles the modules from their
  source when the workbook is opened;
* everything else (references, project name, protection fields, ``PROJECT``
  and ``PROJECTwm``) is kept byte for byte.

Only what this project needs is implemented: a version-3 compound file with
512-byte sectors, at most 109 FAT sectors, no timestamps (so the output is
reproducible). Whether Excel accepts the result can only be seen in Excel; the
tests read it back with olefile/oletools.
"""

from __future__ import annotations

import struct

import olefile

_ENDOFCHAIN = 0xFFFFFFFE
_FREESECT = 0xFFFFFFFF
_FATSECT = 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF
_SECTOR = 512
_MINI = 64
_CUTOFF = 4096
#: [MS-OVBA] 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3 (ignored).
VBA_PROJECT_NO_CACHE = b"\xcc\x61\xff\xff\x00\x00\x00"
_MODULENAME, _MODULEOFFSET, _PROJECTVERSION = 0x19, 0x31, 0x09


# ---------------------------------------------------------------- [MS-OVBA] 2.4.1 compression
def _copy_token_bits(difference: int) -> int:
    """Bits used for the offset of a copy token at ``difference`` bytes into the chunk (2.4.1.3.19.1)."""
    return max((difference - 1).bit_length(), 4)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    pos = 0
    while pos < len(chunk):
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= len(chunk):
                break
            bits = _copy_token_bits(pos) if pos else 4
            max_len = (0xFFFF >> bits) + 3
            best_len, best_off = 0, 0
            for cand in range(pos - 1, -1, -1):
                length = 0
                while length < max_len and pos + length < len(chunk) and chunk[cand + length] == chunk[pos + length]:
                    length += 1
                if length > best_len:
                    best_len, best_off = length, pos - cand
                    if length == max_len:
                        break
            if best_len >= 3:
                out += struct.pack("<H", ((best_off - 1) << (16 - bits)) | (best_len - 3))
                flags |= 1 << bit
                pos += best_len
            else:
                out.append(chunk[pos])
                pos += 1
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer ([MS-OVBA] 2.4.1.1.1) holding ``data``."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        packed = _compress_chunk(chunk)
        if len(packed) <= 4096:
            out += struct.pack("<H", 0xB000 | (len(packed) + 2 - 3)) + packed
        elif len(chunk) == 4096:  # incompressible: stored as is
            out += struct.pack("<H", 0x3000 | 4095) + chunk
        else:  # a raw chunk is always 4096 bytes: a short one would gain padding (never happens with text)
            raise ValueError("a short, incompressible last chunk cannot be stored exactly")
    return bytes(out)


# ---------------------------------------------------------------- the dir stream
def _records(dir_stream: bytes) -> list[tuple[int, bytes]]:
    """(id, data) of every record of a decompressed ``VBA/dir`` stream ([MS-OVBA] 2.3.4.2)."""
    records, i = [], 0
    while i < len(dir_stream):
        rid, size = struct.unpack_from("<HI", dir_stream, i)
        if rid == _PROJECTVERSION:  # its Size field says 4, but 6 bytes follow
            size = 6
        records.append((rid, dir_stream[i + 6 : i + 6 + size]))
        i += 6 + size
    return records


def _join(records: list[tuple[int, bytes]]) -> bytes:
    out = bytearray()
    for rid, data in records:
        size = 4 if rid == _PROJECTVERSION else len(data)
        out += struct.pack("<HI", rid, size) + data
    return bytes(out)


# ---------------------------------------------------------------- [MS-CFB] writer
def _tree(names: list[str]) -> tuple[int | None, dict[str, tuple[int | None, int | None, int]]]:
    """A red-black tree over sibling names in CFB order: root index, {name: (left, right, colour)}."""
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    nodes: dict[str, tuple[int | None, int | None, int]] = {}
    depth: dict[int, int] = {}

    def build(lo: int, hi: int, level: int) -> int | None:
        if lo >= hi:
            return None
        mid = (lo + hi) // 2
        depth[order[mid]] = level
        left, right = build(lo, mid, level + 1), build(mid + 1, hi, level + 1)
        nodes[names[order[mid]]] = (left, right, 1)
        return order[mid]

    root = build(0, len(names), 0)
    deepest = max(depth.values(), default=0)
    perfect = len(names) == 2 ** (deepest + 1) - 1
    for i, level in depth.items():  # the deepest, unfilled level red: every path then has the same black count
        if level == deepest and not perfect and level > 0:
            left, right, _ = nodes[names[i]]
            nodes[names[i]] = (left, right, 0)
    return root, nodes


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams`` ({"VBA/dir": bytes, ...}; one storage level)."""
    # directory entries: root, then storages and streams
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "path": ""}]
    storages = sorted({p.split("/")[0] for p in streams if "/" in p})
    for s in storages:
        entries.append({"name": s, "type": 1, "path": s})
    for p in sorted(streams):
        entries.append({"name": p.split("/")[-1], "type": 2, "path": p, "data": streams[p]})
    index = {e["path"]: i for i, e in enumerate(entries)}
    for e in entries:
        e.update(left=_NOSTREAM, right=_NOSTREAM, child=_NOSTREAM, color=1, start=_ENDOFCHAIN, size=0)
    for parent in ["", *storages]:
        kids = [e["path"] for e in entries[1:] if (e["path"].rsplit("/", 1)[0] if "/" in e["path"] else "") == parent]
        names = [k.split("/")[-1] for k in kids]
        root, nodes = _tree(names)
        if root is not None:
            entries[index[parent]]["child"] = index[kids[root]]
            for k, name in zip(kids, names, strict=True):
                left, right, color = nodes[name]
                entries[index[k]].update(
                    left=_NOSTREAM if left is None else index[kids[left]],
                    right=_NOSTREAM if right is None else index[kids[right]],
                    color=color,
                )

    # mini stream (small streams) and big streams
    mini = bytearray()
    minifat: list[int] = []
    big: list[tuple[dict, bytes]] = []
    for e in entries:
        data = e.get("data")
        if data is None:
            continue
        e["size"] = len(data)
        if not data:
            continue
        if len(data) < _CUTOFF:
            first = len(mini) // _MINI
            count = -(-len(data) // _MINI)
            e["start"] = first
            minifat += [*range(first + 1, first + count), _ENDOFCHAIN]
            mini += data + b"\0" * (count * _MINI - len(data))
        else:
            big.append((e, data))

    def sectors(n: int) -> int:
        return -(-n // _SECTOR)

    dir_sectors = sectors(len(entries) * 128)
    minifat_sectors = sectors(len(minifat) * 4)
    mini_sectors = sectors(len(mini))
    big_sectors = sum(sectors(len(d)) for _, d in big)
    content = dir_sectors + minifat_sectors + mini_sectors + big_sectors
    fat_sectors = 1
    while fat_sectors * (_SECTOR // 4) < fat_sectors + content:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("project too large for this writer")

    fat: list[int] = [_FATSECT] * fat_sectors
    body = bytearray()

    def place(data: bytes) -> int:
        if not data:
            return _ENDOFCHAIN
        first = len(fat)
        count = sectors(len(data))
        fat.extend([*range(first + 1, first + count), _ENDOFCHAIN])
        body.extend(data + b"\0" * (count * _SECTOR - len(data)))
        return first

    dir_start = len(fat)
    fat.extend([*range(dir_start + 1, dir_start + dir_sectors), _ENDOFCHAIN])
    body.extend(b"\0" * (dir_sectors * _SECTOR))  # filled in below
    minifat_start = place(b"".join(struct.pack("<I", x) for x in minifat)) if minifat else _ENDOFCHAIN
    entries[0]["start"] = place(bytes(mini)) if mini else _ENDOFCHAIN
    entries[0]["size"] = len(mini)
    for e, data in big:
        e["start"] = place(data)

    directory = bytearray()
    for e in entries:
        name = e["name"].encode("utf-16-le")
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name,
            len(name) + 2,
            e["type"],
            e["color"],
            e["left"],
            e["right"],
            e["child"],
            b"\0" * 16,
            0,
            0,
            0,
            e["start"],
            e["size"],
        )
    directory += b"\0" * (dir_sectors * _SECTOR - len(directory))
    for i in range(dir_sectors * _SECTOR // 128 - len(entries)):  # unused entries: no siblings, no child
        off = (len(entries) + i) * 128
        directory[off + 68 : off + 80] = struct.pack("<III", _NOSTREAM, _NOSTREAM, _NOSTREAM)
    body[: len(directory)] = directory

    fat += [_FREESECT] * (fat_sectors * (_SECTOR // 4) - len(fat))
    fat_bytes = b"".join(struct.pack("<I", x) for x in fat)
    difat = [*range(fat_sectors), *([_FREESECT] * (109 - fat_sectors))]
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\0" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_sectors,
        dir_start,
        0,
        _CUTOFF,
        minifat_start,
        minifat_sectors,
        _ENDOFCHAIN,
        0,
    ) + b"".join(struct.pack("<I", x) for x in difat)
    return header + fat_bytes + bytes(body)


# ---------------------------------------------------------------- the project
def module_sources(vba_project: bytes) -> dict[str, str]:
    """{module name: source text} of a ``vbaProject.bin`` (for checks; olevba does the same)."""
    from oletools.olevba import decompress_stream

    ole = olefile.OleFileIO(vba_project)
    try:
        records = _records(bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read()))))
        out, name = {}, None
        for rid, data in records:
            if rid == _MODULENAME:
                name = data.decode("latin-1")
            elif rid == _MODULEOFFSET and name is not None:
                raw = ole.openstream(f"VBA/{name}").read()
                offset = struct.unpack("<I", data)[0]
                out[name] = bytes(decompress_stream(bytearray(raw[offset:]))).decode("cp1252")
        return out
    finally:
        ole.close()


def replace_modules(vba_project: bytes, sources: dict[str, str]) -> bytes:
    """``vba_project`` with the source of the named modules replaced, every module source-only.

    ``sources`` maps an existing module's name to its full new text, starting
    with ``Attribute VB_Name = "<name>"``; lines end in CRLF; text is cp1252.
    """
    from oletools.olevba import decompress_stream

    ole = olefile.OleFileIO(vba_project)
    try:
        streams = {"/".join(p): ole.openstream("/".join(p)).read() for p in ole.listdir(streams=True)}
    finally:
        ole.close()
    records = _records(bytes(decompress_stream(bytearray(streams["VBA/dir"]))))
    unknown = set(sources) - {d.decode("latin-1") for rid, d in records if rid == _MODULENAME}
    if unknown:
        raise ValueError(f"no such modules in the project: {sorted(unknown)}")
    name = None
    for i, (rid, data) in enumerate(records):
        if rid == _MODULENAME:
            name = data.decode("latin-1")
        elif rid == _MODULEOFFSET and name is not None:
            raw = streams[f"VBA/{name}"]
            if name in sources:
                text = sources[name].replace("\r\n", "\n").replace("\n", "\r\n").encode("cp1252")
                streams[f"VBA/{name}"] = compress(text)
            else:  # the module's own compressed source as Office wrote it, without the compiled code before it
                streams[f"VBA/{name}"] = raw[struct.unpack("<I", data)[0] :]
            records[i] = (rid, struct.pack("<I", 0))
    streams["VBA/dir"] = compress(_join(records))
    streams["VBA/_VBA_PROJECT"] = VBA_PROJECT_NO_CACHE
    return write_cfb(streams)
