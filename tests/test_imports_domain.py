"""Cutting an uploaded file into pieces that the importer takes one by one, and resuming at any piece."""
import io

from sellerkit.imports import domain

CSV = (b'external_id,body\r\n'
       b'm-1,"Hello,\r\nis it in stock?"\r\n'
       b'\r\n'
       b'm-2,Where is my order?\r\n'
       b'm-3,Thanks!\r\n')


def test_csv_pieces_keep_the_header_and_never_cut_a_quoted_field():
    pieces = list(domain.pieces(io.BytesIO(CSV), "csv", rows_per_piece=1))
    assert [piece.rows for piece in pieces] == [1, 1, 1]
    assert all(piece.data.startswith(b"external_id,body\r\n") for piece in pieces)
    assert pieces[0].data.endswith(b'is it in stock?"\r\n')
    assert b"".join(piece.data[len(b"external_id,body\r\n"):] for piece in pieces) == CSV[len(b"external_id,body\r\n"):]


def test_a_line_number_in_a_piece_maps_back_to_the_line_of_the_whole_file():
    pieces = list(domain.pieces(io.BytesIO(CSV), "csv", rows_per_piece=1))
    # The importer numbers a CSV row by its last physical line: "m-2" is line 3 of its piece, line 5 of the file.
    assert 3 + pieces[1].line_shift == 5
    assert 2 + pieces[2].line_shift == 6


def test_resuming_from_where_a_piece_ended_yields_exactly_the_rest():
    first, *rest = domain.pieces(io.BytesIO(CSV), "csv", rows_per_piece=1)
    resumed = list(domain.pieces(io.BytesIO(CSV), "csv", offset=first.end_offset, line=first.end_line,
                                 rows_per_piece=1))
    assert resumed == rest


def test_json_lines_pieces_count_only_lines_with_content():
    data = b'{"body": "a"}\n\n{"body": "b"}\n{"body": "c"}'
    pieces = list(domain.pieces(io.BytesIO(data), "jsonl", rows_per_piece=2))
    assert [piece.rows for piece in pieces] == [2, 1]
    assert pieces[1].data == b'{"body": "c"}'
    assert 1 + pieces[1].line_shift == 4
    assert pieces[-1].end_offset == len(data)


def test_a_piece_ends_early_when_its_rows_are_long():
    data = b"".join(b'{"body": "%s"}\n' % (b"x" * 100) for _ in range(10))
    pieces = list(domain.pieces(io.BytesIO(data), "jsonl", bytes_per_piece=300))
    assert len(pieces) == 4
    assert sum(piece.rows for piece in pieces) == 10


def test_format_comes_from_the_file_name():
    assert domain.format_of("Export.CSV") == "csv"
    assert domain.format_of("messages.jsonl") == "jsonl"
    assert domain.format_of("messages.xlsx") is None
    assert domain.format_of("") is None


def test_content_must_match_the_format():
    assert domain.content_problem("csv", b"\xef\xbb\xbfexternal_id,body\r\n") is None
    assert domain.content_problem("csv", b"id;text\n1;hello\n") == "csv_header"
    assert domain.content_problem("jsonl", b'\n{"body": "hi"}\n') is None
    assert domain.content_problem("jsonl", b'[{"body": "hi"}]') == "jsonl"


def test_text_check_refuses_binary_and_other_encodings_even_across_chunks():
    check = domain.TextCheck()
    check.feed("Добрый".encode()[:3])  # a letter cut in two between chunks is fine
    check.feed("Добрый".encode()[3:], final=True)
    assert check.problem is None
    latin = domain.TextCheck()
    latin.feed("café".encode("latin-1"), final=True)
    assert latin.problem == "encoding"
    binary = domain.TextCheck()
    binary.feed(b"PK\x03\x04\x00\x00")
    assert binary.problem == "binary"
