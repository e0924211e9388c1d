"""crampkg: a knowledge graph of the article "leg cramps and vitamin supplements".

An educational model of one article, not medical advice.
"""

__version__ = "0.1.0"
