"""Word lists for the demo population: English and Russian names, positions, departments."""

from __future__ import annotations

from functools import lru_cache


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one text (names here contain no spaces)."""
    return tuple(text.split())


EN_FEMALE = _words(
    "Emily Olivia Sophie Charlotte Amelia Grace Chloe Hannah Jessica Lucy Megan Rebecca Sarah "
    "Laura Emma Anna Rachel Katherine Victoria Natalie Abigail Isabel Zoe Alice Julia Claire "
    "Helen Diana Fiona Harriet Jennifer Linda Margaret Nancy Patricia Susan Karen Lisa Amanda "
    "Melissa Ruth Evelyn Maya Ella"
)

EN_MALE = _words(
    "James Oliver William Henry George Thomas Jack Harry Charlie Daniel Samuel Joseph David "
    "Michael Robert John Richard Matthew Andrew Christopher Benjamin Edward Peter Paul Mark "
    "Steven Kevin Brian Ryan Nathan Adam Lucas Ethan Alexander Patrick Simon Timothy Anthony "
    "Frank Gregory Owen Isaac Leo"
)

EN_LAST = _words(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright "
    "Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell "
    "Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson "
    "Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes "
    "Price Sanders Myers Long Ross Foster O'Brien Fletcher Hayes McAllister Lloyd"
)

RU_FEMALE = _words(
    "Анна Мария Елена Ольга Наталья Татьяна Ирина Екатерина Светлана Юлия Анастасия Дарья "
    "Ксения Марина Людмила Галина Вера Надежда Алёна Полина Виктория Софья Евгения Валерия "
    "Алина Кристина Маргарита Лидия Нина Любовь Елизавета Варвара Зоя Фёкла"
)

RU_MALE = _words(
    "Александр Дмитрий Максим Сергей Андрей Алексей Артём Илья Кирилл Михаил Никита Матвей "
    "Роман Егор Арсений Иван Денис Евгений Даниил Тимофей Владислав Игорь Владимир Павел "
    "Руслан Марк Константин Николай Олег Пётр Фёдор Семён Григорий Виктор Юрий Борис Глеб Лев "
    "Степан Вадим"
)

# Male forms; the female form is derived by ``ru_last_name``.
RU_LAST = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков "
    "Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров "
    "Давыдов Беляев Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов "
    "Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев "
    "Фомин Чернов Щербаков Назаров Калинин Чернышёв Быков Маслов Родионов Лазарев Воронин "
    "Пономарёв Голубев Кудрявцев Журавлёв Грачёв Ерёмин Вишневский Покровский Успенский "
    "Шевченко Бондаренко Ткаченко Ким Цой Черных"
)

# A few very long names: the list must not break on them (one is over 60 characters).
LONG_NAMES = (
    ("Maximilian-Alexander", "Featherstonehaugh-Cholmondeley-Worthington", "M"),
    ("Констанция-Владислава", "Голенищева-Кутузова-Смоленская-Оболенская", "F"),
    ("Bartholomew", "Wolfeschlegelsteinhausenbergerdorff", "M"),
)

POSITIONS_EN = (
    "Software Engineer",
    "Senior Developer",
    "QA Engineer",
    "Product Manager",
    "Sales Manager",
    "Account Manager",
    "Accountant",
    "HR Specialist",
    "Designer",
    "Business Analyst",
    "Support Specialist",
    "Marketing Manager",
    "Office Manager",
    "Lawyer",
    "DevOps Engineer",
    "R&D Engineer",
    "Team Lead",
    "QA & Release Manager",
    "Sales <B2B>",
    "Chief Executive Officer",
)

POSITIONS_RU = (
    "Менеджер по продажам",
    "Бухгалтер",
    "Ведущий разработчик",
    "Программист",
    "Тестировщик",
    "Дизайнер",
    "Аналитик",
    "Специалист по кадрам",
    "Юрист",
    "Офис-менеджер",
    "Руководитель отдела",
    "Инженер технической поддержки",
    "Маркетолог",
    "Главный бухгалтер",
    "Системный администратор",
    "Логист",
)

DEPARTMENTS = (
    "Development",
    "Разработка",
    "Sales",
    "Отдел продаж",
    "Marketing",
    "Маркетинг",
    "Support",
    "Техническая поддержка",
    "Accounting",
    "Бухгалтерия",
    "HR",
    "Отдел кадров",
    "Legal",
    "Юридический отдел",
    "Design",
    "QA",
    "Логистика",
    "Procurement",
    "R&D",
    "Администрация",
    "Customer Success",
    "Аналитика",
    "Finance",
    "ИТ-отдел",
)

CITIES = (
    "London",
    "Москва",
    "Berlin",
    "Санкт-Петербург",
    "New York",
    "Казань",
    "Новосибирск",
    "Dublin",
    "Екатеринбург",
    "Singapore",
)

ROOT_DEPARTMENT = "Head office"

BOTS = (
    ("Marta", "", "marta"),
    ("CoPilot", "", "copilot"),
    ("Bitrix24", "Support", "support24"),
    ("Open Lines", "bot", "openlines"),
    ("Планировщик", "задач", "tasks"),
)

CONNECTOR_SOURCES = ("Telegram", "WhatsApp", "Viber", "Live chat", "ВКонтакте")

# Bitrix24 messenger colour palette (docs/bitrix24-api.md §1.3, SRC im/lib/color.php).
PALETTE = (
    "#df532d",
    "#64a513",
    "#4ba984",
    "#4ba5c3",
    "#3e99ce",
    "#8474c8",
    "#1eb4aa",
    "#f76187",
    "#58cc47",
    "#ab7761",
    "#29619b",
    "#728f7a",
    "#ba9c7b",
    "#e8a441",
    "#556574",
    "#909090",
    "#5e5f5e",
)

TIME_ZONES = ("", "", "", "Europe/Moscow", "Europe/London", "Europe/Berlin", "America/New_York")

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        _words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"),
        strict=True,
    )
)


def ru_last_name(male_form: str, gender: str) -> str:
    """The Russian surname for ``gender``: Петров → Петрова, Вишневский → Вишневская."""
    if gender != "F":
        return male_form
    if male_form.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return male_form + "а"
    if male_form.endswith("ский"):
        return male_form[:-4] + "ская"
    return male_form  # Шевченко, Ким, Черных do not change.


@lru_cache(maxsize=4096)
def translit(text: str) -> str:
    """A Latin spelling for logins and e-mail addresses (Алёна → alena)."""
    out = []
    for ch in text.lower():
        latin = _TRANSLIT.get(ch)
        if latin is None:
            out.append(ch if ch.isascii() and ch.isalnum() else "")
        elif latin != "_":
            out.append(latin)
    return "".join(out)
