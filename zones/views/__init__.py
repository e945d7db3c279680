"""The zone registry's web pages, one module per page family.

``common`` holds the small shared helpers (sorting whitelist, pagination, XLSX responses, the
per-object "may I" checks for buttons); every other module starts its reads from
``zones.selectors`` or ``for_user`` and writes through ``zones.services``.
"""
