"""Russian."""

CATALOG: dict[str, dict[str, str | list[str]]] = {
    "Status": {
        "online": "в сети",
        "online on mobile": "в сети с телефона",
        "away": "отошёл",
        "do not disturb": "не беспокоить",
        "on a break": "перерыв",
        "offline": "не в сети",
        "just now": "только что",
        "%n min ago": ["%n минуту назад", "%n минуты назад", "%n минут назад"],
        "%n hour(s) ago": ["%n час назад", "%n часа назад", "%n часов назад"],
        "%n day(s) ago": ["%n день назад", "%n дня назад", "%n дней назад"],
        "yesterday at %1": "вчера в %1",
        "on %1": "%1",
        "last seen %1": "был(а) %1",
        "on vacation, back on %1": "в отпуске, вернётся %1",
        "birthday today": "день рождения сегодня",
    },
}
