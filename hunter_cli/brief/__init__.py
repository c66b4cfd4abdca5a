"""The call brief: what a rep reads two minutes before calling a company.

``compose`` turns stored facts into a :class:`Brief` in one language, with
every sentence taken from the message files (``messages/en.json``,
``messages/tr.json``); ``render`` prints it for a terminal, as Markdown or as
JSON. Nothing here asserts what the scan did not observe.
"""
