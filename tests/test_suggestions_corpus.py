"""Suggested replies measured on the labelled corpus: per language, trained on the first half, asked the second."""
from benchmarks import suggestions as corpus


def test_the_right_reply_is_suggested_in_every_language():
    figures = corpus.evaluate()
    report = "\n".join(corpus.table(figures))
    misses = "\n".join(f"  {found.language} {key}: {text!r} -> {suggested}"
                       for found in figures.values() for text, key, suggested in found.misses)
    assert set(figures) == set(corpus.LANGUAGES), report
    for found in figures.values():
        assert found.asked >= 100, report
        assert found.top3 >= corpus.TOP3_TARGET, f"{found.language}: top 3 below 80%\n{report}\nmisses:\n{misses}"
        assert found.top1 >= corpus.TOP1_TARGET, f"{found.language}: top 1 below 60%\n{report}\nmisses:\n{misses}"


def test_the_corpus_is_split_per_language_in_file_order():
    _replies, ids, rows = corpus.load_corpus()
    halves = corpus.split(rows)
    for language, (history, asked) in halves.items():
        own = [row for row in rows if row[0] == language]
        assert history + asked == own
        assert len(history) == len(own) // 2
        assert {key for _language, key, _text in asked} <= set(ids)
