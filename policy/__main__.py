"""Entry point of the Moorage policy pack (``pulumi preview --policy-pack policy``)."""

from moorage_policy.pack import serve

serve()
