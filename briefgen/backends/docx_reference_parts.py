"""A user's reference .docx made safe: its bytes in, a rebuilt package holding only what a reference needs out.

In: the bytes of a reference document a project supplies (templates/
reference.docx or --reference) and the name to report it by. Out: a new
.docx with only the parts a reference lends (styles, numbering, settings,
theme, fonts table, headers and footers with their pictures) and only the
relationships between them; or a `BriefgenError` naming the file for a zip
bomb, an oversized part, an XML part with a DOCTYPE (entities) or a broken
zip. Nothing else in the file ever reaches python-docx or the output.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

import lxml.etree

from ..errors import BriefgenError

# A reference .docx lends styles and page set-up, so only these parts are taken from it; any other
# part (pictures, embedded files, macros, anything nothing here uses) never reaches python-docx or the
# output. A header or footer keeps the pictures its own relationships point at.
_REFERENCE_PARTS = re.compile(r"(\[Content_Types\]\.xml|_rels/\.rels|docProps/(core|app)\.xml"
                              r"|word/(document|styles|stylesWithEffects|numbering|settings|webSettings|fontTable)\.xml"
                              r"|word/theme/theme\d+\.xml|word/(header|footer)\d+\.xml"
                              r"|customXml/(item|itemProps)\d+\.xml"
                              r"|(word/|word/theme/|customXml/)?_rels/[^/]+\.xml\.rels)")
_HEADER_MEDIA = re.compile(r"word/media/[A-Za-z0-9_.-]+\.(png|jpe?g|gif|emf|wmf|svg)", re.IGNORECASE)
REFERENCE_MEMBER_MAX = 20 * 1024 * 1024  # one part, unpacked
REFERENCE_TOTAL_MAX = 50 * 1024 * 1024  # every part taken, unpacked
REFERENCE_RATIO_MAX = 200  # unpacked / packed, for parts over 1 MiB
REFERENCE_MEMBERS_MAX = 2000
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def reference_parts(data: bytes, name: str) -> bytes:
    """A user's reference .docx rebuilt with only the parts a reference needs; `BriefgenError` naming
    `name` for a zip bomb, a part too big, an XML part with a DOCTYPE (entities) or a broken zip.

    Sizes are checked as declared in the zip before anything is unpacked, then while unpacking
    (a lying header cannot make it unpack more): no part over `REFERENCE_MEMBER_MAX`, no more than
    `REFERENCE_TOTAL_MAX` in all, no part over 1 MiB packed more than `REFERENCE_RATIO_MAX` to one.
    Relationships to parts left out, and external ones other than hyperlinks, are dropped."""
    def refuse(why: str) -> BriefgenError:
        return BriefgenError(f"{name}: not a usable Word reference document ({why})")

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise refuse(f"not a zip file: {exc}") from None
    if len(members) > REFERENCE_MEMBERS_MAX:
        raise refuse(f"{len(members):,} parts; a reference may have at most {REFERENCE_MEMBERS_MAX:,}")
    total = 0
    for info in members:
        if info.file_size > REFERENCE_MEMBER_MAX:
            raise refuse(f"part '{info.filename}' unpacks to {info.file_size:,} bytes; "
                         f"the limit is {REFERENCE_MEMBER_MAX:,}")
        if info.file_size > 1024 * 1024 and info.file_size > REFERENCE_RATIO_MAX * max(info.compress_size, 1):
            raise refuse(f"part '{info.filename}' is packed {info.file_size // max(info.compress_size, 1):,} to one; "
                         "a zip bomb?")
        total += info.file_size
    if total > REFERENCE_TOTAL_MAX:
        raise refuse(f"its parts unpack to {total:,} bytes; the limit is {REFERENCE_TOTAL_MAX:,}")

    def unpack(info: zipfile.ZipInfo) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(64 * 1024):
                    size += len(chunk)
                    if size > info.file_size or size > REFERENCE_MEMBER_MAX:
                        raise refuse(f"part '{info.filename}' unpacks to more than it declares")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
                OSError, ValueError) as exc:
            raise refuse(f"part '{info.filename}' cannot be unpacked: {exc}") from None
        return b"".join(chunks)

    by_name = {info.filename: info for info in members}
    kept = {n for n in by_name if _REFERENCE_PARTS.fullmatch(n)}
    parts: dict[str, bytes] = {}
    for part_name in sorted(kept):
        content = unpack(by_name[part_name])
        if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
            raise refuse(f"part '{part_name}' declares a DOCTYPE or entities, which Word never writes")
        parts[part_name] = content
    # pictures a header or footer shows come along; nothing else does
    for part_name in [n for n in parts if re.fullmatch(r"word/_rels/(header|footer)\d+\.xml\.rels", n)]:
        for rel in _relationships(parts[part_name], name, part_name):
            target = _rel_target(part_name, rel.get("Target", ""))
            if rel.get("TargetMode") != "External" and _HEADER_MEDIA.fullmatch(target) and target in by_name \
                    and target not in parts:
                parts[target] = unpack(by_name[target])
    for part_name in [n for n in parts if n.endswith(".rels")]:
        root = _relationships(parts[part_name], name, part_name)
        for rel in list(root):
            external = rel.get("TargetMode") == "External"
            if (external and not rel.get("Type", "").endswith("/hyperlink")) or \
                    (not external and _rel_target(part_name, rel.get("Target", "")) not in parts):
                root.remove(rel)
        parts[part_name] = lxml.etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if sum(len(c) for c in parts.values()) > REFERENCE_TOTAL_MAX:
        raise refuse(f"its parts unpack to more than {REFERENCE_TOTAL_MAX:,} bytes")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rebuilt:
        for part_name in sorted(parts, key=lambda n: (n != "[Content_Types].xml", n)):
            rebuilt.writestr(part_name, parts[part_name])
    return out.getvalue()


def _relationships(content: bytes, name: str, part_name: str) -> lxml.etree._Element:
    try:
        root = lxml.etree.fromstring(content, _safe_parser())
    except lxml.etree.XMLSyntaxError as exc:
        raise BriefgenError(f"{name}: not a usable Word reference document (part '{part_name}': {exc})") from None
    if root.tag != f"{{{_RELS_NS}}}Relationships":
        raise BriefgenError(f"{name}: not a usable Word reference document (part '{part_name}' is not relationships)")
    return root


def _safe_parser() -> lxml.etree.XMLParser:
    """A parser that expands no entities, loads no DTD and fetches nothing."""
    return lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def _rel_target(rels_name: str, target: str) -> str:
    """The part a relationship in `rels_name` points at, as a zip member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    source_dir = posixpath.dirname(posixpath.dirname(rels_name))  # word/_rels/x.rels → word
    return posixpath.normpath(posixpath.join(source_dir, target)).lstrip("/")
