"""Policy questions answered from the county's employment plan and any documents staff add."""

from knowledge.policy.answer import Answer, Citation
from knowledge.policy.base import DocumentInfo, PolicyBase, add_document

__all__ = ["Answer", "Citation", "DocumentInfo", "PolicyBase", "add_document"]
