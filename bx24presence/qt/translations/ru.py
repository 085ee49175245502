"""Russian.

Keys are the English source texts, byte for byte. ``%1``..``%4`` and ``{name}`` fields stay as
they are (they are filled after translation); a text with ``%n`` takes three plural forms:
[one (1, 21…), few (2–4, 22–24…), many (5–20, 25…)]. The tests in
tests/qt/test_translations.py check that every text of the source is here.
"""

CATALOG: dict[str, dict[str, str | list[str]]] = {
    "App": {
        "demo portal": "демо-портал",
        "The webhook could not be stored: %1": "Не удалось сохранить вебхук: %1",
        "Start at login could not be changed: %1": (
            "Не удалось изменить запуск при входе в систему: %1"
        ),
        "Export diagnostics": "Экспорт диагностики",
        "Zip archives (*.zip)": "ZIP-архивы (*.zip)",
        "Could not write %1: %2": "Не удалось записать %1: %2",
        "Diagnostics saved to %1": "Диагностика сохранена в %1",
        "Available now: %1": "Доступны сейчас: %1",
        "bx24presence keeps running in the tray. Use Quit in its menu to exit.": (
            "bx24presence продолжает работать в трее. Чтобы выйти, выберите «Выход» в его меню."
        ),
        "Your status could not be set: %1": "Не удалось установить ваш статус: %1",
    },
    "Connection": {
        "the webhook's user": "пользователь вебхука",
        "Connected as {name} to {host}.": "Подключено к {host} как {name}.",
    },
    "Failure": {
        "No portal address was given.": "Адрес портала не указан.",
        "This is not a valid address: check what was pasted.": (
            "Это не адрес: проверьте, что было вставлено."
        ),
        "The address has no valid host name.": "В адресе нет правильного имени сервера.",
        "This is not a Bitrix24 webhook address. It looks like"
        " https://<portal>/rest/<user id>/<secret>/ (Bitrix24: Developer resources >"
        " Other > Incoming webhook).": (
            "Это не адрес вебхука Битрикс24. Он выглядит так:"
            " https://<портал>/rest/<id пользователя>/<секрет>/ (Битрикс24: Разработчикам >"
            " Другое > Входящий вебхук)."
        ),
        "The portal address must start with https:// (got '{scheme}://').": (
            "Адрес портала должен начинаться с https:// (указано «{scheme}://»)."
        ),
        "The address uses plain http:// on {host}, so the webhook would travel unencrypted:"
        " use https://, or allow plain http for a self-hosted portal without TLS.": (
            "Адрес {host} начинается с http://, и вебхук передавался бы без шифрования:"
            " используйте https:// или разрешите http для коробочного портала без TLS."
        ),
        "{host} did not answer in time.": "{host} не ответил вовремя.",
        "The host {host} could not be found: check the address and the network.": (
            "Сервер {host} не найден: проверьте адрес и сеть."
        ),
        "{host} refused the connection.": "{host} отклонил подключение.",
        "{host} closed the connection without answering.": (
            "{host} закрыл соединение, не ответив."
        ),
        "{host} could not be reached; check the network.": (
            "Не удалось связаться с {host}; проверьте сеть."
        ),
        "The certificate of {host} is not trusted; the connection was refused. (If the portal"
        " uses a private certificate authority, name its certificate bundle with --ca-bundle"
        " FILE or BX24PRESENCE_CA_BUNDLE, or install it in the system's trust store.)": (
            "Сертификат {host} не является доверенным; подключение отклонено. (Если у портала"
            " собственный центр сертификации, укажите файл его сертификатов в --ca-bundle"
            " FILE или BX24PRESENCE_CA_BUNDLE либо установите его в хранилище доверенных"
            " сертификатов системы.)"
        ),
        "{host} does not speak HTTPS at this address: if the portal uses plain http://, type"
        " the address with http:// and allow plain http.": (
            "{host} не отвечает по HTTPS по этому адресу: если портал работает по http://,"
            " введите адрес с http:// и разрешите http."
        ),
        "The webhook was rejected: its secret is wrong, or it has been deleted or has"
        " expired. Copy the address again from Bitrix24.": (
            "Вебхук отклонён: его секретный ключ неверен, либо вебхук удалён или истёк."
            " Скопируйте адрес заново из Битрикс24."
        ),
        "The access token was rejected.": "Токен доступа отклонён.",
        "The access token has expired.": "Срок действия токена доступа истёк.",
        "The saved login has expired; log in to the portal again.": (
            "Сохранённый вход устарел; войдите на портал заново."
        ),
        "Could not renew the login: the OAuth server refused it.": (
            "Не удалось продлить вход: сервер OAuth отказал."
        ),
        "No webhook is stored for this portal: connect again in Settings.": (
            "Для этого портала не сохранён вебхук: подключитесь заново в настройках."
        ),
        "This kind of authorization is not accepted for this method.": (
            "Этот способ авторизации не принимается для этого метода."
        ),
        "The webhook's user has no access to this method.": (
            "У пользователя вебхука нет доступа к этому методу."
        ),
        "The webhook's user has no access to this data (extranet users cannot list the"
        " company).": (
            "У пользователя вебхука нет доступа к этим данным (пользователи экстранета не"
            " видят список сотрудников компании)."
        ),
        "The application is not installed on the portal.": "Приложение не установлено на портале.",
        "The portal has been deleted.": "Портал удалён.",
        "The portal accepts webhooks over HTTPS only.": "Портал принимает вебхуки только по HTTPS.",
        "The webhook lacks the '{scope}' scope: edit it in Bitrix24 and tick {box}.": (
            "У вебхука нет права «{scope}»: измените вебхук в Битрикс24 и отметьте {box}."
        ),
        "REST access is not available on this portal's plan (Bitrix24 offers it on"
        " commercial plans).": (
            "На тарифе этого портала нет доступа к REST API (в Битрикс24 он есть на"
            " коммерческих тарифах)."
        ),
        "The portal's request limit was reached (too many requests).": (
            "Портал ограничил число запросов (слишком много запросов)."
        ),
        "The portal paused a method for its time limit.": (
            "Портал приостановил метод из-за лимита времени."
        ),
        "The portal has blocked REST calls for overload.": (
            "Портал заблокировал вызовы REST из-за перегрузки."
        ),
        "The portal answered with an HTML page (HTTP {status}), not with Bitrix24 REST.": (
            "Портал ответил HTML-страницей (HTTP {status}), а не REST API Битрикс24."
        ),
        "The portal answered with something that is not JSON (HTTP {status}).": (
            "Портал ответил не в формате JSON (HTTP {status})."
        ),
        "The portal answered with HTTP {status} and no error code.": (
            "Портал ответил кодом HTTP {status} без кода ошибки."
        ),
        "The portal's answer makes no sense.": "Ответ портала не имеет смысла.",
        "The portal listed no colleagues at all, not even the webhook's own user; its answer"
        " makes no sense.": (
            "Портал не вернул ни одного сотрудника, даже пользователя вебхука; его ответ не"
            " имеет смысла."
        ),
        "The portal's answer is larger than {megabytes} MB.": (
            "Ответ портала больше {megabytes} МБ."
        ),
        "The portal points to {target}, which is not the portal; not followed.": (
            "Портал перенаправляет на {target}, а это не портал; переход не выполнен."
        ),
        "The portal redirected to plain http://, where the webhook would travel unencrypted;"
        " not followed.": (
            "Портал перенаправил на http://, где вебхук передавался бы без шифрования;"
            " переход не выполнен."
        ),
        "The portal redirected the request to a page that is not its REST API (a login page"
        " or a proxy?); not followed.": (
            "Портал перенаправил запрос на страницу, которая не является его REST API"
            " (страница входа или прокси?); переход не выполнен."
        ),
        "The portal redirected to a malformed address.": (
            "Портал перенаправил на неправильный адрес."
        ),
        "The portal keeps redirecting; its address may have changed more than once. Check"
        " the webhook address.": (
            "Портал перенаправляет снова и снова; возможно, его адрес менялся не один раз."
            " Проверьте адрес вебхука."
        ),
        "The portal says it has moved to {new_portal}; confirm the new address to use it.": (
            "Портал сообщает, что переехал на {new_portal}; подтвердите новый адрес, чтобы"
            " пользоваться им."
        ),
        "The portal does not know the method {method}.": "Портал не знает метод {method}.",
        "The portal reported an error: {code}.": "Портал сообщил об ошибке: {code}.",
        "Something unexpected went wrong; the log has the details.": (
            "Произошла непредвиденная ошибка; подробности в журнале."
        ),
        "{host} did not finish answering within {seconds} s.": (
            "{host} не закончил ответ за {seconds} с."
        ),
        "The webhook lacks a scope this app needs: edit it in Bitrix24 and tick {box}.": (
            "У вебхука нет нужного приложению права: измените вебхук в Битрикс24 и отметьте"
            " {box}."
        ),
        "The webhook's user has no access to {method}.": (
            "У пользователя вебхука нет доступа к методу {method}."
        ),
        "The portal paused {method} for its time limit.": (
            "Портал приостановил метод {method} из-за лимита времени."
        ),
        "The portal answered with an HTML page, HTTP {status} (a proxy or maintenance page:"
        " the portal may be down).": (
            "Портал ответил HTML-страницей, HTTP {status} (страница прокси или технических"
            " работ: возможно, портал недоступен)."
        ),
        "The portal answered with something that is not JSON, HTTP {status} (the portal may"
        " be down).": (
            "Портал ответил не в формате JSON, HTTP {status} (возможно, портал недоступен)."
        ),
        "The portal reported an error.": "Портал сообщил об ошибке.",
        "Users (user_brief)": "Пользователи (user_brief)",
        "Messenger (im)": "Мессенджер (im)",
        "Messenger (im) and Users (user_brief)": "Мессенджер (im) и Пользователи (user_brief)",
        "The portal says: “{said}”": "Ответ портала: «{said}»",
        "the portal": "портал",
    },
    "Details": {
        "Work": "Рабочий",
        "Mobile": "Мобильный",
        "Extension": "Внутренний",
        "Home": "Домашний",
        "Select a colleague to see the details.": "Выберите коллегу, чтобы увидеть подробности.",
        "Photo": "Фото",
        "Photo of %1": "Фото: %1",
        "Watch this colleague": "Отслеживать этого коллегу",
        "Notify me when available": "Уведомить, когда будет доступен(а)",
        "Notify me when available: on": "Уведомить, когда будет доступен(а): включено",
        "Open chat with %1 in Bitrix24": "Открыть чат с %1 в Битрикс24",
        "Link not opened": "Ссылка не открыта",
        "Copy link": "Копировать ссылку",
        "No application on this computer makes phone calls.": (
            "На этом компьютере нет приложения для звонков."
        ),
        "No e-mail application is set up on this computer.": (
            "На этом компьютере не настроено почтовое приложение."
        ),
        "No web browser opened the link.": "Ни один браузер не открыл ссылку.",
        "You can copy the link and open it elsewhere.": (
            "Можно скопировать ссылку и открыть её в другом месте."
        ),
        "Watch this colleague (tray menu and alerts)": (
            "Отслеживать этого коллегу (меню в трее и уведомления)"
        ),
        "Open chat in Bitrix24": "Открыть чат в Битрикс24",
        "Last activity: %1": "Последняя активность: %1",
        "Last activity: never": "Ещё ни разу не заходил(а) на портал",
        "Birthday: %1": "День рождения: %1",
        "today!": "сегодня!",
        "Department %1": "Отдел %1",
        "Email": "Эл. почта",
        "Website": "Сайт",
        "Copy": "Копировать",
        "Copy %1": "Копировать: %1",
        "Watching": "Отслеживается",
        "Watch": "Отслеживать",
        "Notify me": "Уведомить",
        "Notifying": "Уведомления включены",
        "Notify me when this colleague becomes available": (
            "Уведомить, когда коллега станет доступен(а)"
        ),
    },
    "Errors": {
        "Something went wrong inside bx24presence. It keeps running; the details below are"
        " also in the log.": (
            "В bx24presence произошла внутренняя ошибка. Приложение продолжает работать;"
            " подробности ниже есть и в журнале."
        ),
    },
    "MainWindow": {
        "Warning": "Предупреждение",
        "Error": "Ошибка",
        "Information": "Сведения",
        "Status": "Состояние",
        "Clear search": "Очистить поиск",
        "Everyone": "Все",
        "Available now": "Доступны сейчас",
        "On vacation": "В отпуске",
        "Birthdays today": "Именинники",
        "Watched": "Отслеживаемые",
        "Show: %1 (Alt+%2)": "Показать: %1 (Alt+%2)",
        "Search by name, position, department, phone or email": (
            "Поиск по имени, должности, отделу, телефону или почте"
        ),
        "Search colleagues": "Поиск коллег",
        "Refresh": "Обновить",
        "Refresh now (F5)": "Обновить сейчас (F5)",
        "Settings": "Настройки",
        "Settings (Ctrl+,)": "Настройки (Ctrl+,)",
        "Colleagues": "Коллеги",
        "Loading": "Загрузка",
        "Refresh now": "Обновить сейчас",
        "Search": "Поиск",
        "Quit": "Выход",
        "Filter": "Фильтр",
        "%1 Polling has stopped: reconnect with a working webhook (or fix it in Settings).": (
            "%1 Опрос портала остановлен: подключитесь заново с рабочим вебхуком (или исправьте"
            " его в настройках)."
        ),
        "Reconnect…": "Подключиться заново…",
        "Portal unreachable since %1, showing data from %2.": (
            "Портал недоступен с %1, показаны данные на %2."
        ),
        "Portal unreachable since %1; no data yet.": "Портал недоступен с %1; данных пока нет.",
        "The portal has been too slow to answer since %1, showing data from %2.": (
            "Портал слишком медленно отвечает с %1; показаны данные на %2."
        ),
        "The portal has been too slow to answer since %1; no data yet.": (
            "Портал слишком медленно отвечает с %1; данных пока нет."
        ),
        "The portal's answers are unusable since %1, showing data from %2.": (
            "Ответы портала непригодны с %1, показаны данные на %2."
        ),
        "The portal's answers are unusable since %1; no data yet.": (
            "Ответы портала непригодны с %1; данных пока нет."
        ),
        "The portal has been limiting requests since %1, showing data from %2.": (
            "Портал ограничивает запросы с %1, показаны данные на %2."
        ),
        "The portal has been limiting requests since %1; no data yet.": (
            "Портал ограничивает запросы с %1; данных пока нет."
        ),
        "Next attempt in %1 s.": "Следующая попытка через %1 с.",
        "Retry now": "Повторить сейчас",
        "Connecting to %1…": "Подключение к %1…",
        "No data from %1 yet.": "Данных от %1 пока нет.",
        "The portal is slow to answer; still waiting for its first answer…": (
            "Портал отвечает медленно; всё ещё ждём его первого ответа…"
        ),
        "Stale: data from %1 (%2 min old) · %3 colleagues · %4 available": (
            "Устарело: данные на %1 (%2 мин назад) · коллег: %3 · доступно: %4"
        ),
        "Loading saved data…": "Загрузка сохранённых данных…",
        "Saved data from %1, refreshing… · %3 colleagues · %4 available": (
            "Сохранённые данные на %1, обновление… · коллег: %3 · доступно: %4"
        ),
        "Updated %1 · %3 colleagues · %4 available": ("Обновлено в %1 · коллег: %3 · доступно: %4"),
        "Loading colleagues…": "Загрузка списка коллег…",
        "No data yet.": "Данных пока нет.",
        "The portal lists no colleagues.": "На портале нет ни одного сотрудника.",
        "Nobody matches. Press Esc to clear the search.": (
            "Никого не найдено. Нажмите Esc, чтобы очистить поиск."
        ),
        "Copied: %1": "Скопировано: %1",
        "Watch": "Отслеживать",
        "Stop watching": "Не отслеживать",
        "Notify me when available": "Уведомить, когда станет доступен(а)",
        "Copy name and phone": "Копировать имя и телефон",
    },
    "Relay": {
        "Office relay unavailable, polling the portal directly": (
            "Офисный ретранслятор недоступен, опрашиваем портал напрямую"
        ),
        "Via the office relay": "Через офисный ретранслятор",
        "Connecting to the office relay…": "Подключение к офисному ретранслятору…",
        "The office relay's address cannot be used: check it in Settings.": (
            "Адрес офисного ретранслятора не подходит: проверьте его в настройках."
        ),
        "Redis refused the office relay's user name or password.": (
            "Redis отклонил имя пользователя или пароль офисного ретранслятора."
        ),
        "The office relay's Redis user may not read this portal's data.": (
            "Пользователю Redis офисного ретранслятора нельзя читать данные этого портала."
        ),
        "The office relay's TLS certificate could not be verified.": (
            "Не удалось проверить TLS-сертификат офисного ретранслятора."
        ),
        "The office relay (Redis) cannot be reached.": "Офисный ретранслятор (Redis) недоступен.",
        "The office relay's data makes no sense.": "Данные офисного ретранслятора повреждены.",
        "The office relay has published nothing for this portal yet.": (
            "Офисный ретранслятор ещё ничего не опубликовал для этого портала."
        ),
        "The office relay has stopped: its heartbeat is gone.": (
            "Офисный ретранслятор остановлен: его сигнал активности пропал."
        ),
        "The portal refused the office relay's webhook.": (
            "Портал отклонил вебхук офисного ретранслятора."
        ),
        "The office relay has had no answer from the portal for a while.": (
            "Офисный ретранслятор давно не получает ответа от портала."
        ),
        "The office relay cannot refresh from the portal.": (
            "Офисный ретранслятор не может обновить данные с портала."
        ),
        "The office relay polls the portal once for everyone; this computer reads it and"
        " asks the portal only for what is personal.": (
            "Офисный ретранслятор опрашивает портал один раз за всех; этот компьютер читает"
            " его данные и обращается к порталу только за личным."
        ),
    },
    "Settings": {
        "Settings": "Настройки",
        "not connected": "не подключён",
        "Change…": "Изменить…",
        "Forget": "Забыть",
        "The webhook is kept in a private file (readable by you only), because no system"
        " keyring is available.": (
            "Вебхук хранится в закрытом файле (читать его можете только вы), так как"
            " системное хранилище ключей недоступно."
        ),
        " s": " с",
        "From 15 seconds to 15 minutes": "От 15 секунд до 15 минут",
        " min": " мин",
        "A colleague counts as online for this long after their last activity (Bitrix24's"
        " messenger uses 15 minutes)": (
            "Сколько времени после последней активности коллега считается в сети"
            " (в мессенджере Битрикс24 — 15 минут)"
        ),
        "Notify me when watched colleagues become available": (
            "Уведомлять, когда отслеживаемые коллеги становятся доступны"
        ),
        "Start in the tray": "Запускать свёрнутым в трей",
        "Start when I log in": "Запускать при входе в систему",
        "Follow the system": "Как в системе",
        "Light": "Светлая",
        "Dark": "Тёмная",
        "Open log folder": "Открыть папку журналов",
        "Export diagnostics…": "Экспорт диагностики…",
        "A zip of logs, versions and settings, with every secret removed": (
            "ZIP-архив с журналами, версиями и настройками, из которого удалены все секреты"
        ),
        "Portal:": "Портал:",
        "Webhook stored in:": "Хранилище вебхука:",
        "Nothing: the demo portal needs no webhook.": "Нигде: демо-порталу вебхук не нужен.",
        "Refresh every:": "Обновлять каждые:",
        "Online window:": "Считать в сети:",
        "Theme:": "Тема:",
        "Language:": "Язык:",
        "A new language applies the next time the app starts.": (
            "Новый язык будет применён при следующем запуске приложения."
        ),
        "Errors": "Ошибки",
        "Warnings": "Предупреждения",
        "Information": "Информация",
        "Debugging": "Отладка",
        "Log level:": "Уровень журнала:",
        "Forget this portal? Its webhook is removed from this computer.": (
            "Забыть этот портал? Его вебхук будет удалён с этого компьютера."
        ),
        "Office relay": "Офисный ретранслятор",
        "Read presence from your office's relay (Redis) instead of polling the portal from"
        " this computer; your IT department gives these. Leave the address empty to poll the"
        " portal directly.": (
            "Получать присутствие от офисного ретранслятора (Redis), а не опрашивать портал с"
            " этого компьютера; эти данные выдаёт ваш ИТ-отдел. Оставьте адрес пустым, чтобы"
            " опрашивать портал напрямую."
        ),
        "Office relay address": "Адрес офисного ретранслятора",
        "Office relay user": "Пользователь офисного ретранслятора",
        "Office relay password": "Пароль офисного ретранслятора",
        "stored in the keyring; type to replace": (
            "хранится в связке ключей; введите, чтобы заменить"
        ),
        "Address:": "Адрес:",
        "User:": "Пользователь:",
        "Password:": "Пароль:",
        "A Redis user name has no spaces and none of @ : /.": (
            "Имя пользователя Redis не содержит пробелов и символов @ : /."
        ),
        "The relay's address must start with rediss://.": (
            "Адрес ретранслятора должен начинаться с rediss://."
        ),
        "The relay's address names no server.": "В адресе ретранслятора не указан сервер.",
        "Type the password in the Password field, not in the address: the address is saved"
        " as plain text.": (
            "Введите пароль в поле «Пароль», а не в адрес: адрес сохраняется открытым текстом."
        ),
        "Plain redis:// would carry the password and the directory unencrypted: use rediss://"
        " for a server on another computer.": (
            "Обычный redis:// передал бы пароль и справочник без шифрования: для сервера на"
            " другом компьютере используйте rediss://."
        ),
        "The certificate file named by ca= does not exist.": (
            "Файл сертификата, указанный в ca=, не существует."
        ),
        "This is not a relay address; it looks like rediss://HOST:PORT/0, optionally with"
        " ?ca=FILE.": (
            "Это не адрес ретранслятора; он выглядит как rediss://HOST:PORT/0, при"
            " необходимости с ?ca=FILE."
        ),
        "The office relay's password could not be stored: %1": (
            "Не удалось сохранить пароль офисного ретранслятора: %1"
        ),
    },
    "Status": {
        "online": "в сети",
        "online on mobile": "в сети с телефона",
        "away": "нет на месте",
        "do not disturb": "не беспокоить",
        "on a break": "на перерыве",
        "offline": "не в сети",
        "just now": "только что",
        "%n min ago": ["%n минуту назад", "%n минуты назад", "%n минут назад"],
        "%n hour(s) ago": ["%n час назад", "%n часа назад", "%n часов назад"],
        "%n day(s) ago": ["%n день назад", "%n дня назад", "%n дней назад"],
        "yesterday at %1": "вчера в %1",
        "on %1": "%1",
        "last seen %1": "был(а) %1",
        "on vacation, back on %1": "в отпуске, вернётся %1",
        "birthday today": "сегодня день рождения",
    },
    "Tray": {
        "Online": "В сети",
        "Do not disturb": "Не беспокоить",
        "Away": "Нет на месте",
        "On a break": "На перерыве",
        "bx24presence: connecting…": "bx24presence: подключение…",
        "%1 of %2 available · updated %3": "Доступно %1 из %2 · обновлено в %3",
        "portal unreachable since %1": "портал недоступен с %1",
        "portal too slow to answer since %1": "портал слишком медленно отвечает с %1",
        "portal limiting requests since %1": "портал ограничивает запросы с %1",
        "polling stopped at %1": "опрос остановлен в %1",
        "portal's answers unusable since %1": "ответы портала непригодны с %1",
        "My status: %1": "Мой статус: %1",
        "…and %1 more": "…и ещё %1",
        "Star colleagues in the window to watch them here": (
            "Отметьте коллег звёздочкой в окне, чтобы следить за ними здесь"
        ),
        "My status": "Мой статус",
        "Refresh now": "Обновить сейчас",
        "Show window": "Показать окно",
        "Hide window": "Скрыть окно",
        "Today's notifications…": "Уведомления за сегодня…",
        "About…": "О программе…",
        "Settings…": "Настройки…",
        "Quit": "Выход",
        "and %1 more": "и ещё %1",
        "%1 watched colleagues are available": "Отслеживаемые коллеги на связи: %1",
        "%1 is available": "%1 на связи",
    },
    "Watch": {
        "Once": "Один раз",
        "Every time": "Каждый раз",
        "Every time, today only": "Каждый раз, только сегодня",
        "Stop notifying": "Не уведомлять",
    },
    "Welcome": {
        "1. In Bitrix24 open Developer resources → Other → Incoming webhook.\n"
        "2. Tick the permissions Messenger (im) and Users (user_brief).\n"
        "3. Save, copy the webhook address and paste it here.": (
            "1. В Битрикс24 откройте «Разработчикам» → «Другое» → «Входящий вебхук».\n"
            "2. Отметьте права «Мессенджер (im)» и «Пользователи (user_brief)».\n"
            "3. Сохраните, скопируйте адрес вебхука и вставьте его сюда."
        ),
        "The address works like a password: bx24presence keeps it in your system's keyring.": (
            "Адрес работает как пароль: bx24presence хранит его в системном хранилище ключей."
        ),
        "The address works like a password. This computer has no system keyring, so"
        " bx24presence keeps it in a file only you can read.": (
            "Адрес работает как пароль. На этом компьютере нет системного хранилища ключей,"
            " поэтому bx24presence хранит его в файле, доступном только вам."
        ),
        "Welcome to bx24presence": "Добро пожаловать в bx24presence",
        "Cancel": "Отмена",
        "See which colleagues are available right now": "Кто из коллег доступен прямо сейчас",
        "bx24presence shows who among your Bitrix24 colleagues is online, away or on"
        " vacation, and tells you when the people you wait for come online.": (
            "bx24presence показывает, кто из ваших коллег в Битрикс24 в сети, нет на месте"
            " или в отпуске, и сообщает, когда нужные вам люди появляются в сети."
        ),
        "Connect to my Bitrix24": "Подключить мой Битрикс24",
        "Try the demo": "Попробовать демо",
        "A simulated company on this computer: no account needed": (
            "Имитация компании на этом компьютере: учётная запись не нужна"
        ),
        "Connect with an incoming webhook": "Подключение через входящий вебхук",
        "Webhook address": "Адрес вебхука",
        "Show": "Показать",
        "Allow plain http:// (a self-hosted portal without HTTPS)": (
            "Разрешить http:// без шифрования (коробочный портал без HTTPS)"
        ),
        "Back": "Назад",
        "Test connection": "Проверить подключение",
        "Connect": "Подключиться",
        "Webhook address:": "Адрес вебхука:",
        "Testing the connection…": "Проверка подключения…",
    },
    "About": {
        "%1 h %2 min": "%1 ч %2 мин",
        "%1 min": "%1 мин",
        "About %1": "О программе %1",
        "Action": "Действие",
        "Data from:": "Данные от:",
        "Keyboard shortcuts": "Сочетания клавиш",
        "Keys": "Клавиши",
        "Portal:": "Портал:",
        "Version:": "Версия:",
        "Who is available among your Bitrix24 colleagues, at a glance.": (
            "Кто из коллег в Битрикс24 доступен — с одного взгляда."
        ),
        "demo portal": "демо-портал",
        "just now": "только что",
        "no data yet": "данных пока нет",
        "not connected": "не подключено",
    },
    "History": {
        "Today's notifications": "Уведомления за сегодня",
        "%1 became available": "%1 теперь доступен(а)",
        "%1 became available: %2": "%1 теперь доступны: %2",
        "%1 watched colleagues": "Отслеживаемых коллег: %1",
        "No notifications today.": "Сегодня уведомлений не было.",
    },
    "OwnStatus": {
        "Do not disturb for 1 hour": "Не беспокоить 1 час",
        "Do not disturb until %1": "Не беспокоить до %1",
        "Do not disturb until tomorrow %1": "Не беспокоить до завтра, %1",
        "Do not disturb until tomorrow 9:00": "Не беспокоить до завтра, 9:00",
        "My status": "Мой статус",
        "My status: %1": "Мой статус: %1",
        "Set your own status in Bitrix24": "Установить свой статус в Битрикс24",
        "Status unknown": "Статус неизвестен",
    },
    "Team": {
        "%1 of %2 available": "Доступны %1 из %2",
        "%1 of %2": "%1 из %2",
        "%1 on vacation": "В отпуске: %1",
        "%1, call %2": "%1, позвонить по номеру %2",
        "%1: %2 of %3 available": "%1: доступны %2 из %3",
        "About this list": "Об этом списке",
        "About": "О программе",
        "About, data age and keyboard shortcuts (F1)": (
            "О программе, возраст данных и сочетания клавиш (F1)"
        ),
        "All departments": "Все подразделения",
        "Available": "Доступны",
        "Back on %1": "Вернётся %1",
        "Back on Monday": "Вернётся в понедельник",
        "Back on Tuesday": "Вернётся во вторник",
        "Back on Wednesday": "Вернётся в среду",
        "Back on Thursday": "Вернётся в четверг",
        "Back on Friday": "Вернётся в пятницу",
        "Back on Saturday": "Вернётся в субботу",
        "Back on Sunday": "Вернётся в воскресенье",
        "Back tomorrow": "Вернётся завтра",
        "Call %1": "Позвонить: %1",
        "Call": "Позвонить",
        "Colleague": "Коллега",
        "Colleagues available now who have a phone": "Доступные сейчас коллеги с телефоном",
        "Colleagues on vacation, by the day they are back": (
            "Коллеги в отпуске — по дню возвращения"
        ),
        "Department": "Подразделение",
        "Departments": "Подразделения",
        "Departments, who can pick up now, who is out (Ctrl+T)": (
            "Подразделения, кто может ответить сейчас, кто отсутствует (Ctrl+T)"
        ),
        "Head of the department": "Руководитель подразделения",
        "Head: %1": "Руководитель: %1",
        "Sort by last seen": "Сортировка по последней активности",
        "Matched the department: %1": "Найдено в подразделении: %1",
        "Matched the e-mail: %1": "Найдено в e-mail: %1",
        "Matched the phone: %1": "Найдено в телефоне: %1",
        "Matched the position: %1": "Найдено в должности: %1",
        "Most recently active first; click a number to call.": (
            "Сначала недавно активные; нажмите на номер, чтобы позвонить."
        ),
        "Nobody is on vacation.": "Никто не в отпуске.",
        "Nobody with a phone is available right now.": "Нет доступных коллег с телефоном.",
        "Pick up now": "Ответят сейчас",
        "Sort by presence, then name": "Сортировка по присутствию и имени",
        "Sort the list by": "Сортировать список по",
        "Team panel": "Панель команды",
        "Team toolbar": "Панель инструментов команды",
        "Team views": "Представления команды",
        "Team": "Команда",
        "The %1 most recently active of %2; click a number to call.": (
            "%1 недавно активных из %2; нажмите на номер, чтобы позвонить."
        ),
        "Who can pick up now": "Кто может ответить сейчас",
        "Who is out": "Кто отсутствует",
        "colleague %1": "коллега %1",
        "Departments could not be loaded: %1": "Не удалось загрузить отделы: %1",
        "unexpected error (see the log)": "непредвиденная ошибка (подробности в журнале)",
    },
}
