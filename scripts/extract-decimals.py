#!/usr/bin/env python3
"""Collect every decimal token (price/quantity-like) from the protocol notes into a test fixture."""
import pathlib, re, sys
root = pathlib.Path(__file__).resolve().parent.parent
notes = root.parent / "shared" / "protocols"
pattern = re.compile(r'(?<![\w.\-/:])-?\d+\.\d+(?![\w.])')
seen = []
for f in sorted(notes.glob("*.md")):
    for tok in pattern.findall(f.read_text()):
        if tok not in seen:
            seen.append(tok)
out = root / "Tests" / "HFTCoreTests" / "Fixtures" / "protocol-decimals.txt"
out.write_text("\n".join(seen) + "\n")
print(f"{len(seen)} decimals -> {out}", file=sys.stderr)
