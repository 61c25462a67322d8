"""The SMS channel: pushes as Alibaba Cloud template SMS, receipts and 回T退订 replies back."""
