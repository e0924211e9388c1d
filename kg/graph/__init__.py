"""Reading the built graph: the dataset and its named graphs, the causal network and its chains, and the
explanations of inferred triples. Nothing here writes or serves; the build writes, the interfaces serve."""
