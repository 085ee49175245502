"""English: only the plural forms (the source texts are English already)."""

CATALOG: dict[str, dict[str, str | list[str]]] = {
    "Status": {
        "%n min ago": ["%n min ago", "%n min ago"],
        "%n hour(s) ago": ["%n hour ago", "%n hours ago"],
        "%n day(s) ago": ["%n day ago", "%n days ago"],
    },
}
