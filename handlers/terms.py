"""What matching needs from the knowledge base, in the shape storage.matching takes: the towns'
neighbours, the trades only people who have them may take, what each season means as free
time, and how a village is keyed ("下溪" = "下溪村")."""

from __future__ import annotations

from functools import lru_cache

from knowledge import taxonomy
from knowledge.places import gazetteer, village_key
from storage.matching import Terms


@lru_cache(maxsize=1)
def match_terms() -> Terms:
    return Terms(neighbours={t.name: t.neighbours for t in gazetteer().towns},
                 skilled=frozenset(o.code for o in taxonomy.skills().options if o.skilled),
                 season_free={o.code: o.availability for o in taxonomy.seasons().options if o.availability},
                 village_key=village_key)
