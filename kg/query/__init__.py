"""Answering SPARQL: the engines, the query text checks, the one table of result formats, the guarded
executor, the canned-query catalogue, the service description and the command line's result table."""
