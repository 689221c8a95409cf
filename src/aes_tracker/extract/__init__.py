"""From a communiqué's text to proposed commitments, by rules (no model, nothing downloaded).

`text` (the stored text, HTML and Markdown read as plain text with a map back to the stored
offsets, and the one normalisation a quote is compared under), `segment` (sentences),
`enumerate` (the targets a sentence lists), `lexicon` (the words, from `lexicon.toml`), `rules`
(parties, category, timing, the trigger that fired) and `propose` (the proposals themselves).
Plain Python: the CLI walks the proposals, this package makes them.
"""
