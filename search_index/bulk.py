"""Writing one segment of a full rebuild in one go, inside a worker process.

Whoosh's writer puts every posting into a pool that is sorted externally: each posting is
pickled to a temporary file and read back in a heap merge, which was a third of a rebuild. Here
documents arrive in number order, so a term's postings, grouped in memory as they come, are
already sorted; only the terms are sorted at the end. The `pairs` field goes into a pair array
(search_index.pairs) instead of one Whoosh term per word pair. Stored fields, lengths, columns
and every other posting are written by Whoosh's own codec, exactly as its writer would.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from whoosh.formats import Frequency, Positions
from whoosh.index import Index
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

from search_index.analysis import analyse
from search_index.pairs import PairArrayWriter
from search_index.whoosh_internals import UnlockedSegmentWriter, add_postings, postings_writer

PAIRS = "pairs"
PARTS = "parts"
# The text fields, in the order parts joins them (store.to_fields).
PIECES = ("title", "aliases", "names", "body", "details")
Posting = tuple[int, float, bytes]


def term_values(field: Any, tokens: list[str]) -> Iterable[tuple[bytes, int, float, bytes]]:
    """What field.index() returns for a text whose tokens (one per position) are these:
    (term, frequency, weight, encoded value) per distinct term. Whoosh's formats would walk a
    token object through generators per word; positions and frequencies are counted here."""
    fmt = field.format
    kind = type(fmt)
    if kind is not Positions and kind is not Frequency:
        indexed: Iterable[tuple[bytes, int, float, bytes]] = field.index(tokens)
        return indexed  # Whoosh's formats take a token list as it is
    boost = fmt.field_boost
    positions: dict[str, list[int]] = {}
    for pos, token in enumerate(tokens):
        found = positions.get(token)
        if found is None:
            positions[token] = [pos]
        else:
            found.append(pos)
    if kind is Positions:
        return [
            (t.encode("utf-8"), len(p), float(len(p)) * boost, fmt.encode(p))
            for t, p in positions.items()
        ]
    return [
        (t.encode("utf-8"), len(p), float(len(p)) * boost, pack_uint(len(p)))
        for t, p in positions.items()
    ]


class SegmentBuilder(UnlockedSegmentWriter):
    """A writer for one new segment of an index (no lock: the rebuild's generation is private
    until it is published). add(), then finish() returns the segment for the TOC."""

    def __init__(self, ix: Index) -> None:
        super().__init__(ix)
        self._postings: dict[str, dict[bytes, list[Posting]]] = defaultdict(dict)
        # Lengths as Whoosh's reader returns them when writing postings (quantised to a byte).
        self._lengths: dict[str, dict[int, int]] = defaultdict(dict)
        self._pairs = PairArrayWriter()
        self.words: set[str] = set()
        self.count = 0

    def add(self, fields: dict[str, Any], pieces: dict[str, tuple[str, ...]]) -> None:
        """Add a document given as Whoosh fields (store.to_fields) and the pieces of its text
        fields (store.text_pieces). Each piece is analysed once (analysis.analyse) for its
        field, the compound parts, the pairs and the spelling words (term_values: the same
        postings as analysing each field's value)."""
        analysed = {name: [analyse(t) for t in texts] for name, texts in pieces.items()}
        terms: dict[str, list[str]] = {
            name: [f for a in parts for f in a.forms] for name, parts in analysed.items()
        }
        terms[PARTS] = [p for name in PIECES for a in analysed[name] for p in a.parts]
        # Pairs never span a field, nor one alias and the next.
        groups = [terms["title"], *(a.forms for a in analysed["aliases"])]
        groups += [terms["names"], terms["body"], terms["details"]]
        self._pairs.add(self.docnum, groups)
        spelled = (*analysed["title"], *analysed["aliases"], analysed["body"][0])
        for a in (*spelled, *analysed["details"]):
            self.words |= a.spelling  # the text itself, not its context (store._words_of)

        docnum = self.docnum
        schema = self.schema
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        for fieldname in sorted(fields):
            value = fields[fieldname]
            if value is None or fieldname == PAIRS:
                continue  # pairs are no Whoosh field in this segment: no postings, no length
            field = schema[fieldname]
            length = 0
            if field.indexed:
                postings = self._postings[fieldname]
                scorable = field.scorable
                tokens = terms.get(fieldname)
                values = field.index(value) if tokens is None else term_values(field, tokens)
                for tbytes, freq, weight, vbytes in values:
                    if scorable:
                        length += freq
                    found = postings.get(tbytes)
                    if found is None:
                        postings[tbytes] = [(docnum, weight, vbytes)]
                    else:
                        found.append((docnum, weight, vbytes))
                if length:
                    self._lengths[fieldname][docnum] = byte_to_length(length_to_byte(length))
            stored = value if field.stored else None
            perdoc.add_field(fieldname, field, stored, length)
            column = field.column_type
            if column:
                perdoc.add_column_value(fieldname, column, field.to_column_value(value))
        perdoc.finish_doc()
        self.docnum += 1
        self.count += 1

    def finish(self) -> Any:
        """Write the postings and the pair array; returns the closed segment."""
        self.perdocwriter.close()
        writer = self.fieldwriter
        for fieldname in sorted(self._postings):
            terms = self._postings[fieldname]
            lengths = self._lengths.get(fieldname, {})
            writer.start_field(fieldname, self.schema[fieldname])
            postwriter = postings_writer(writer)
            for tbytes in sorted(terms):
                writer.start_term(tbytes)
                add_postings(postwriter, terms[tbytes], lengths)
                writer.finish_term()
            writer.finish_field()
            del self._postings[fieldname]  # let go of the memory as soon as it is written
        writer.close()
        segment = self.get_segment()
        self._pairs.write(self.storage.folder, segment.segment_id())
        return self.close_segment()
