"""Regression: /api/queries/substance-effects returned the same 35 rows whatever `substance` was.

The query's third UNION branch was `{ BIND(?substance AS ?via) }`; SPARQL evaluates that group before the
VALUES join that binds the parameter, so ?via was unbound and every effect of everything matched."""
from __future__ import annotations

import requests

EFFECTS = {
    "id:vitamin-d": {"hypercalcemia", "disrupted-muscle-function", "altered-calcium-level", "electrolyte-imbalance",
                     "leg-cramp"},
    "id:vitamin-b6": {"b6-neurotoxicity", "peripheral-neuropathy", "neuropathic-muscle-spasm"},
    "id:diuretic": {"increased-urine-output", "lowered-fluid-volume", "low-potassium", "low-magnesium",
                    "muscle-hyperexcitability", "leg-cramp"},
    "id:hydration": set(),
}


def test_each_substance_gets_its_own_effects(live_server):
    for substance, expected in EFFECTS.items():
        r = requests.get(f"{live_server.url}/api/queries/substance-effects", params={"substance": substance},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert r.status_code == 200, r.text
        got = {b["effect"]["value"].rsplit("/", 1)[-1] for b in r.json()["results"]["bindings"]}
        assert got == expected, substance
