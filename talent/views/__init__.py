"""The talent pages: ``overview`` (all zones, one zone) and ``records`` (the seven record types'
list, export, detail and forms, described once each in ``kinds``)."""
