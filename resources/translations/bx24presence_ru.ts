<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru" sourcelanguage="en">
<context>
    <name>About</name>
    <message>
        <source>no data yet</source>
        <translation>данных пока нет</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>только что</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 мин</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 ч %2 мин</translation>
    </message>
    <message>
        <source>About %1</source>
        <translation>О программе %1</translation>
    </message>
    <message>
        <source>demo portal</source>
        <translation>демо-портал</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>не подключено</translation>
    </message>
    <message>
        <source>Version:</source>
        <translation>Версия:</translation>
    </message>
    <message>
        <source>Portal:</source>
        <translation>Портал:</translation>
    </message>
    <message>
        <source>Data from:</source>
        <translation>Данные от:</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Клавиши</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Действие</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Сочетания клавиш</translation>
    </message>
    <message>
        <source>Who is available among your Bitrix24 colleagues, at a glance.</source>
        <translation>Кто из коллег в Битрикс24 доступен — с одного взгляда.</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>Available now: %1</source>
        <extracomment>How long an alert stays in the status bar without a tray.</extracomment>
        <translation>Доступны сейчас: %1</translation>
    </message>
    <message>
        <source>The webhook could not be stored: %1</source>
        <translation>Не удалось сохранить вебхук: %1</translation>
    </message>
    <message>
        <source>Start at login could not be changed: %1</source>
        <translation>Не удалось изменить запуск при входе в систему: %1</translation>
    </message>
    <message>
        <source>bx24presence keeps running in the tray. Use Quit in its menu to exit.</source>
        <translation>bx24presence продолжает работать в трее. Чтобы выйти, выберите «Выход» в его меню.</translation>
    </message>
    <message>
        <source>Your status could not be set: %1</source>
        <translation>Не удалось установить ваш статус: %1</translation>
    </message>
    <message>
        <source>demo portal</source>
        <extracomment>How many pixels of the first row must differ from the list&apos;s background.</extracomment>
        <translation>демо-портал</translation>
    </message>
    <message>
        <source>Export diagnostics</source>
        <translation>Экспорт диагностики</translation>
    </message>
    <message>
        <source>Zip archives (*.zip)</source>
        <translation>ZIP-архивы (*.zip)</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>Не удалось записать %1: %2</translation>
    </message>
    <message>
        <source>Diagnostics saved to %1</source>
        <translation>Диагностика сохранена в %1</translation>
    </message>
</context>
<context>
    <name>Connection</name>
    <message>
        <source>Connected as {name} to {host}.</source>
        <translation>Подключено к {host} как {name}.</translation>
    </message>
    <message>
        <source>the webhook&apos;s user</source>
        <translation>пользователь вебхука</translation>
    </message>
</context>
<context>
    <name>Details</name>
    <message>
        <source>Link not opened</source>
        <translation>Ссылка не открыта</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>Копировать ссылку</translation>
    </message>
    <message>
        <source>No application on this computer makes phone calls.</source>
        <translation>На этом компьютере нет приложения для звонков.</translation>
    </message>
    <message>
        <source>No e-mail application is set up on this computer.</source>
        <translation>На этом компьютере не настроено почтовое приложение.</translation>
    </message>
    <message>
        <source>No web browser opened the link.</source>
        <translation>Ни один браузер не открыл ссылку.</translation>
    </message>
    <message>
        <source>You can copy the link and open it elsewhere.</source>
        <translation>Можно скопировать ссылку и открыть её в другом месте.</translation>
    </message>
    <message>
        <source>Work</source>
        <translation>Рабочий</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>Мобильный</translation>
    </message>
    <message>
        <source>Extension</source>
        <translation>Внутренний</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>Домашний</translation>
    </message>
    <message>
        <source>Select a colleague to see the details.</source>
        <extracomment>In a short pane (the window is narrow, the details sit below the list): the photo, the name and the Watch and Notify buttons share one line, the rest scrolls below it.</extracomment>
        <translation>Выберите коллегу, чтобы увидеть подробности.</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>Фото</translation>
    </message>
    <message>
        <source>Watch this colleague (tray menu and alerts)</source>
        <translation>Отслеживать этого коллегу (меню в трее и уведомления)</translation>
    </message>
    <message>
        <source>Notify me</source>
        <translation>Уведомить</translation>
    </message>
    <message>
        <source>Notify me when this colleague becomes available</source>
        <translation>Уведомить, когда коллега станет доступен(а)</translation>
    </message>
    <message>
        <source>Open chat in Bitrix24</source>
        <translation>Открыть чат в Битрикс24</translation>
    </message>
    <message>
        <source>Photo of %1</source>
        <translation>Фото: %1</translation>
    </message>
    <message>
        <source>Last activity: %1</source>
        <translation>Последняя активность: %1</translation>
    </message>
    <message>
        <source>Last activity: never</source>
        <translation>Ещё ни разу не заходил(а) на портал</translation>
    </message>
    <message>
        <source>Birthday: %1</source>
        <translation>День рождения: %1</translation>
    </message>
    <message>
        <source>today!</source>
        <translation>сегодня!</translation>
    </message>
    <message>
        <source>Department %1</source>
        <translation>Отдел %1</translation>
    </message>
    <message>
        <source>Open chat with %1 in Bitrix24</source>
        <translation>Открыть чат с %1 в Битрикс24</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Эл. почта</translation>
    </message>
    <message>
        <source>Website</source>
        <translation>Сайт</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Копировать</translation>
    </message>
    <message>
        <source>Copy %1</source>
        <translation>Копировать: %1</translation>
    </message>
    <message>
        <source>Watching</source>
        <translation>Отслеживается</translation>
    </message>
    <message>
        <source>Watch</source>
        <translation>Отслеживать</translation>
    </message>
    <message>
        <source>Watch this colleague</source>
        <translation>Отслеживать этого коллегу</translation>
    </message>
    <message>
        <source>Notifying</source>
        <translation>Уведомления включены</translation>
    </message>
    <message>
        <source>Notify me when available: on</source>
        <translation>Уведомить, когда будет доступен(а): включено</translation>
    </message>
    <message>
        <source>Notify me when available</source>
        <translation>Уведомить, когда будет доступен(а)</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Something went wrong inside bx24presence. It keeps running; the details below are also in the log.</source>
        <translation>В bx24presence произошла внутренняя ошибка. Приложение продолжает работать; подробности ниже есть и в журнале.</translation>
    </message>
</context>
<context>
    <name>Failure</name>
    <message>
        <source>No portal address was given.</source>
        <translation>Адрес портала не указан.</translation>
    </message>
    <message>
        <source>This is not a valid address: check what was pasted.</source>
        <translation>Это не адрес: проверьте, что было вставлено.</translation>
    </message>
    <message>
        <source>The address has no valid host name.</source>
        <translation>В адресе нет правильного имени сервера.</translation>
    </message>
    <message>
        <source>This is not a Bitrix24 webhook address. It looks like https://&lt;portal&gt;/rest/&lt;user id&gt;/&lt;secret&gt;/ (Bitrix24: Developer resources &gt; Other &gt; Incoming webhook).</source>
        <translation>Это не адрес вебхука Битрикс24. Он выглядит так: https://&lt;портал&gt;/rest/&lt;id пользователя&gt;/&lt;секрет&gt;/ (Битрикс24: Разработчикам &gt; Другое &gt; Входящий вебхук).</translation>
    </message>
    <message>
        <source>The portal address must start with https:// (got &apos;{scheme}://&apos;).</source>
        <translation>Адрес портала должен начинаться с https:// (указано «{scheme}://»).</translation>
    </message>
    <message>
        <source>The address uses plain http:// on {host}, so the webhook would travel unencrypted: use https://, or allow plain http for a self-hosted portal without TLS.</source>
        <translation>Адрес {host} начинается с http://, и вебхук передавался бы без шифрования: используйте https:// или разрешите http для коробочного портала без TLS.</translation>
    </message>
    <message>
        <source>{host} did not answer in time.</source>
        <translation>{host} не ответил вовремя.</translation>
    </message>
    <message>
        <source>The host {host} could not be found: check the address and the network.</source>
        <translation>Сервер {host} не найден: проверьте адрес и сеть.</translation>
    </message>
    <message>
        <source>{host} refused the connection.</source>
        <translation>{host} отклонил подключение.</translation>
    </message>
    <message>
        <source>{host} closed the connection without answering.</source>
        <translation>{host} закрыл соединение, не ответив.</translation>
    </message>
    <message>
        <source>{host} could not be reached; check the network.</source>
        <translation>Не удалось связаться с {host}; проверьте сеть.</translation>
    </message>
    <message>
        <source>The certificate of {host} is not trusted; the connection was refused. (If the portal uses a private certificate authority, name its certificate bundle with --ca-bundle FILE or BX24PRESENCE_CA_BUNDLE, or install it in the system&apos;s trust store.)</source>
        <translation>Сертификат {host} не является доверенным; подключение отклонено. (Если у портала собственный центр сертификации, укажите файл его сертификатов в --ca-bundle FILE или BX24PRESENCE_CA_BUNDLE либо установите его в хранилище доверенных сертификатов системы.)</translation>
    </message>
    <message>
        <source>{host} does not speak HTTPS at this address: if the portal uses plain http://, type the address with http:// and allow plain http.</source>
        <translation>{host} не отвечает по HTTPS по этому адресу: если портал работает по http://, введите адрес с http:// и разрешите http.</translation>
    </message>
    <message>
        <source>The webhook was rejected: its secret is wrong, or it has been deleted or has expired. Copy the address again from Bitrix24.</source>
        <translation>Вебхук отклонён: его секретный ключ неверен, либо вебхук удалён или истёк. Скопируйте адрес заново из Битрикс24.</translation>
    </message>
    <message>
        <source>The access token was rejected.</source>
        <translation>Токен доступа отклонён.</translation>
    </message>
    <message>
        <source>The access token has expired.</source>
        <translation>Срок действия токена доступа истёк.</translation>
    </message>
    <message>
        <source>The saved login has expired; log in to the portal again.</source>
        <translation>Сохранённый вход устарел; войдите на портал заново.</translation>
    </message>
    <message>
        <source>Could not renew the login: the OAuth server refused it.</source>
        <translation>Не удалось продлить вход: сервер OAuth отказал.</translation>
    </message>
    <message>
        <source>No webhook is stored for this portal: connect again in Settings.</source>
        <translation>Для этого портала не сохранён вебхук: подключитесь заново в настройках.</translation>
    </message>
    <message>
        <source>This kind of authorization is not accepted for this method.</source>
        <translation>Этот способ авторизации не принимается для этого метода.</translation>
    </message>
    <message>
        <source>The webhook&apos;s user has no access to this method.</source>
        <translation>У пользователя вебхука нет доступа к этому методу.</translation>
    </message>
    <message>
        <source>The webhook&apos;s user has no access to this data (extranet users cannot list the company).</source>
        <translation>У пользователя вебхука нет доступа к этим данным (пользователи экстранета не видят список сотрудников компании).</translation>
    </message>
    <message>
        <source>The application is not installed on the portal.</source>
        <translation>Приложение не установлено на портале.</translation>
    </message>
    <message>
        <source>The portal has been deleted.</source>
        <translation>Портал удалён.</translation>
    </message>
    <message>
        <source>The portal accepts webhooks over HTTPS only.</source>
        <translation>Портал принимает вебхуки только по HTTPS.</translation>
    </message>
    <message>
        <source>The webhook lacks the &apos;{scope}&apos; scope: edit it in Bitrix24 and tick {box}.</source>
        <translation>У вебхука нет права «{scope}»: измените вебхук в Битрикс24 и отметьте {box}.</translation>
    </message>
    <message>
        <source>REST access is not available on this portal&apos;s plan (Bitrix24 offers it on commercial plans).</source>
        <translation>На тарифе этого портала нет доступа к REST API (в Битрикс24 он есть на коммерческих тарифах).</translation>
    </message>
    <message>
        <source>The portal&apos;s request limit was reached (too many requests).</source>
        <translation>Портал ограничил число запросов (слишком много запросов).</translation>
    </message>
    <message>
        <source>The portal paused a method for its time limit.</source>
        <translation>Портал приостановил метод из-за лимита времени.</translation>
    </message>
    <message>
        <source>The portal has blocked REST calls for overload.</source>
        <translation>Портал заблокировал вызовы REST из-за перегрузки.</translation>
    </message>
    <message>
        <source>The portal answered with an HTML page (HTTP {status}), not with Bitrix24 REST.</source>
        <translation>Портал ответил HTML-страницей (HTTP {status}), а не REST API Битрикс24.</translation>
    </message>
    <message>
        <source>The portal answered with something that is not JSON (HTTP {status}).</source>
        <translation>Портал ответил не в формате JSON (HTTP {status}).</translation>
    </message>
    <message>
        <source>The portal answered with HTTP {status} and no error code.</source>
        <translation>Портал ответил кодом HTTP {status} без кода ошибки.</translation>
    </message>
    <message>
        <source>The portal&apos;s answer makes no sense.</source>
        <translation>Ответ портала не имеет смысла.</translation>
    </message>
    <message>
        <source>The portal listed no colleagues at all, not even the webhook&apos;s own user; its answer makes no sense.</source>
        <translation>Портал не вернул ни одного сотрудника, даже пользователя вебхука; его ответ не имеет смысла.</translation>
    </message>
    <message>
        <source>The portal&apos;s answer is larger than {megabytes} MB.</source>
        <translation>Ответ портала больше {megabytes} МБ.</translation>
    </message>
    <message>
        <source>The portal points to {target}, which is not the portal; not followed.</source>
        <translation>Портал перенаправляет на {target}, а это не портал; переход не выполнен.</translation>
    </message>
    <message>
        <source>The portal redirected to plain http://, where the webhook would travel unencrypted; not followed.</source>
        <translation>Портал перенаправил на http://, где вебхук передавался бы без шифрования; переход не выполнен.</translation>
    </message>
    <message>
        <source>The portal redirected the request to a page that is not its REST API (a login page or a proxy?); not followed.</source>
        <translation>Портал перенаправил запрос на страницу, которая не является его REST API (страница входа или прокси?); переход не выполнен.</translation>
    </message>
    <message>
        <source>The portal redirected to a malformed address.</source>
        <translation>Портал перенаправил на неправильный адрес.</translation>
    </message>
    <message>
        <source>The portal keeps redirecting; its address may have changed more than once. Check the webhook address.</source>
        <translation>Портал перенаправляет снова и снова; возможно, его адрес менялся не один раз. Проверьте адрес вебхука.</translation>
    </message>
    <message>
        <source>The portal says it has moved to {new_portal}; confirm the new address to use it.</source>
        <translation>Портал сообщает, что переехал на {new_portal}; подтвердите новый адрес, чтобы пользоваться им.</translation>
    </message>
    <message>
        <source>The portal does not know the method {method}.</source>
        <translation>Портал не знает метод {method}.</translation>
    </message>
    <message>
        <source>The portal reported an error: {code}.</source>
        <translation>Портал сообщил об ошибке: {code}.</translation>
    </message>
    <message>
        <source>Something unexpected went wrong; the log has the details.</source>
        <translation>Произошла непредвиденная ошибка; подробности в журнале.</translation>
    </message>
    <message>
        <source>{host} did not finish answering within {seconds} s.</source>
        <translation>{host} не закончил ответ за {seconds} с.</translation>
    </message>
    <message>
        <source>The webhook lacks a scope this app needs: edit it in Bitrix24 and tick {box}.</source>
        <translation>У вебхука нет нужного приложению права: измените вебхук в Битрикс24 и отметьте {box}.</translation>
    </message>
    <message>
        <source>The webhook&apos;s user has no access to {method}.</source>
        <translation>У пользователя вебхука нет доступа к методу {method}.</translation>
    </message>
    <message>
        <source>The portal paused {method} for its time limit.</source>
        <translation>Портал приостановил метод {method} из-за лимита времени.</translation>
    </message>
    <message>
        <source>The portal answered with an HTML page, HTTP {status} (a proxy or maintenance page: the portal may be down).</source>
        <translation>Портал ответил HTML-страницей, HTTP {status} (страница прокси или технических работ: возможно, портал недоступен).</translation>
    </message>
    <message>
        <source>The portal answered with something that is not JSON, HTTP {status} (the portal may be down).</source>
        <translation>Портал ответил не в формате JSON, HTTP {status} (возможно, портал недоступен).</translation>
    </message>
    <message>
        <source>The portal reported an error.</source>
        <translation>Портал сообщил об ошибке.</translation>
    </message>
    <message>
        <source>Users (user_brief)</source>
        <translation>Пользователи (user_brief)</translation>
    </message>
    <message>
        <source>Messenger (im)</source>
        <translation>Мессенджер (im)</translation>
    </message>
    <message>
        <source>Messenger (im) and Users (user_brief)</source>
        <translation>Мессенджер (im) и Пользователи (user_brief)</translation>
    </message>
    <message>
        <source>The portal says: “{said}”</source>
        <translation>Ответ портала: «{said}»</translation>
    </message>
    <message>
        <source>the portal</source>
        <translation>портал</translation>
    </message>
</context>
<context>
    <name>History</name>
    <message>
        <source>%1 became available</source>
        <extracomment>Entries kept at most (a day of alerts is far fewer; this bounds a flapping portal).</extracomment>
        <translation>%1 теперь доступен(а)</translation>
    </message>
    <message>
        <source>%1 became available: %2</source>
        <translation>%1 теперь доступны: %2</translation>
    </message>
    <message>
        <source>%1 watched colleagues</source>
        <translation>Отслеживаемых коллег: %1</translation>
    </message>
    <message>
        <source>Today&apos;s notifications</source>
        <translation>Уведомления за сегодня</translation>
    </message>
    <message>
        <source>No notifications today.</source>
        <translation>Сегодня уведомлений не было.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Portal unreachable since %1, showing data from %2.</source>
        <translation>Портал недоступен с %1, показаны данные на %2.</translation>
    </message>
    <message>
        <source>The portal has been too slow to answer since %1, showing data from %2.</source>
        <translation>Портал слишком медленно отвечает с %1; показаны данные на %2.</translation>
    </message>
    <message>
        <source>The portal has been limiting requests since %1, showing data from %2.</source>
        <translation>Портал ограничивает запросы с %1, показаны данные на %2.</translation>
    </message>
    <message>
        <source>The portal&apos;s answers are unusable since %1, showing data from %2.</source>
        <translation>Ответы портала непригодны с %1, показаны данные на %2.</translation>
    </message>
    <message>
        <source>Portal unreachable since %1; no data yet.</source>
        <translation>Портал недоступен с %1; данных пока нет.</translation>
    </message>
    <message>
        <source>The portal has been too slow to answer since %1; no data yet.</source>
        <translation>Портал слишком медленно отвечает с %1; данных пока нет.</translation>
    </message>
    <message>
        <source>The portal has been limiting requests since %1; no data yet.</source>
        <translation>Портал ограничивает запросы с %1; данных пока нет.</translation>
    </message>
    <message>
        <source>The portal&apos;s answers are unusable since %1; no data yet.</source>
        <translation>Ответы портала непригодны с %1; данных пока нет.</translation>
    </message>
    <message>
        <source>%1 Polling has stopped: reconnect with a working webhook (or fix it in Settings).</source>
        <translation>%1 Опрос портала остановлен: подключитесь заново с рабочим вебхуком (или исправьте его в настройках).</translation>
    </message>
    <message>
        <source>Reconnect…</source>
        <translation>Подключиться заново…</translation>
    </message>
    <message>
        <source>Next attempt in %1 s.</source>
        <translation>Следующая попытка через %1 с.</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>Повторить сейчас</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Подключение к %1…</translation>
    </message>
    <message>
        <source>No data from %1 yet.</source>
        <translation>Данных от %1 пока нет.</translation>
    </message>
    <message>
        <source>Stale: data from %1 (%2 min old) · %3 colleagues · %4 available</source>
        <translation>Устарело: данные на %1 (%2 мин назад) · коллег: %3 · доступно: %4</translation>
    </message>
    <message>
        <source>Loading saved data…</source>
        <translation>Загрузка сохранённых данных…</translation>
    </message>
    <message>
        <source>Saved data from %1, refreshing… · %3 colleagues · %4 available</source>
        <translation>Сохранённые данные на %1, обновление… · коллег: %3 · доступно: %4</translation>
    </message>
    <message>
        <source>Updated %1 · %3 colleagues · %4 available</source>
        <translation>Обновлено в %1 · коллег: %3 · доступно: %4</translation>
    </message>
    <message>
        <source>Search by name, position, department, phone or email</source>
        <translation>Поиск по имени, должности, отделу, телефону или почте</translation>
    </message>
    <message>
        <source>Search colleagues</source>
        <translation>Поиск коллег</translation>
    </message>
    <message>
        <source>Clear search</source>
        <translation>Очистить поиск</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Обновить</translation>
    </message>
    <message>
        <source>Refresh now (F5)</source>
        <translation>Обновить сейчас (F5)</translation>
    </message>
    <message>
        <source>Refresh now</source>
        <translation>Обновить сейчас</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <source>Settings (Ctrl+,)</source>
        <translation>Настройки (Ctrl+,)</translation>
    </message>
    <message>
        <source>Colleagues</source>
        <translation>Коллеги</translation>
    </message>
    <message>
        <source>Loading colleagues…</source>
        <translation>Загрузка списка коллег…</translation>
    </message>
    <message>
        <source>No data yet.</source>
        <translation>Данных пока нет.</translation>
    </message>
    <message>
        <source>The portal lists no colleagues.</source>
        <translation>На портале нет ни одного сотрудника.</translation>
    </message>
    <message>
        <source>Nobody matches. Press Esc to clear the search.</source>
        <translation>Никого не найдено. Нажмите Esc, чтобы очистить поиск.</translation>
    </message>
    <message>
        <source>The portal is slow to answer; still waiting for its first answer…</source>
        <extracomment>With no data yet, after this long without an answer the banner says the portal is slow.</extracomment>
        <translation>Портал отвечает медленно; всё ещё ждём его первого ответа…</translation>
    </message>
    <message>
        <source>Copied: %1</source>
        <translation>Скопировано: %1</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>Все</translation>
    </message>
    <message>
        <source>Available now</source>
        <translation>Доступны сейчас</translation>
    </message>
    <message>
        <source>On vacation</source>
        <translation>В отпуске</translation>
    </message>
    <message>
        <source>Birthdays today</source>
        <translation>Именинники</translation>
    </message>
    <message>
        <source>Watched</source>
        <translation>Отслеживаемые</translation>
    </message>
    <message>
        <source>Show: %1 (Alt+%2)</source>
        <translation>Показать: %1 (Alt+%2)</translation>
    </message>
    <message>
        <source>Warning</source>
        <extracomment>Something is wrong but the app goes on (stale data, retrying). The user must act (the portal refused the webhook; polling stopped). Nothing is wrong yet (the portal is slow to answer). What the banner&apos;s icon means, for screen readers.</extracomment>
        <translation>Предупреждение</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Ошибка</translation>
    </message>
    <message>
        <source>Information</source>
        <translation>Сведения</translation>
    </message>
    <message>
        <source>Status</source>
        <extracomment>Narrower than this, the details pane goes below the list instead of beside it.</extracomment>
        <translation>Состояние</translation>
    </message>
    <message>
        <source>Loading</source>
        <translation>Загрузка</translation>
    </message>
    <message>
        <source>Stop watching</source>
        <translation>Не отслеживать</translation>
    </message>
    <message>
        <source>Watch</source>
        <translation>Отслеживать</translation>
    </message>
    <message>
        <source>Notify me when available</source>
        <translation>Уведомить, когда станет доступен(а)</translation>
    </message>
    <message>
        <source>Copy name and phone</source>
        <translation>Копировать имя и телефон</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Поиск</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>Фильтр</translation>
    </message>
    <message>
        <source>Quick filter (Alt+1 to Alt+5)</source>
        <translation>Быстрый фильтр (Alt+1 … Alt+5)</translation>
    </message>
    <message>
        <source>Quick filter</source>
        <translation>Быстрый фильтр</translation>
    </message>
    <message>
        <source>Quick filter: %1</source>
        <translation>Быстрый фильтр: %1</translation>
    </message>
    <message>
        <source>Menu</source>
        <translation>Меню</translation>
    </message>
    <message>
        <source>My status, the sort order, the Team panel, About, Refresh, Settings</source>
        <translation>Мой статус, сортировка, панель команды, «О программе», обновление, настройки</translation>
    </message>
</context>
<context>
    <name>OwnStatus</name>
    <message>
        <source>Do not disturb until tomorrow %1</source>
        <extracomment>How often the end of a timed &quot;do not disturb&quot; is checked besides its own timer. &quot;Until tomorrow&quot; ends at this local time on the next day. A poll&apos;s word on the own status is not taken this long after a change was sent, unless the portal confirms the change first. An end time further than this from now is not believed (a corrupt or hostile state file).</extracomment>
        <translation>Не беспокоить до завтра, %1</translation>
    </message>
    <message>
        <source>Do not disturb until %1</source>
        <translation>Не беспокоить до %1</translation>
    </message>
    <message>
        <source>Status unknown</source>
        <translation>Статус неизвестен</translation>
    </message>
    <message>
        <source>My status</source>
        <translation>Мой статус</translation>
    </message>
    <message>
        <source>Set your own status in Bitrix24</source>
        <translation>Установить свой статус в Битрикс24</translation>
    </message>
    <message>
        <source>My status: %1</source>
        <translation>Мой статус: %1</translation>
    </message>
    <message>
        <source>Do not disturb for 1 hour</source>
        <translation>Не беспокоить 1 час</translation>
    </message>
    <message>
        <source>Do not disturb until tomorrow 9:00</source>
        <translation>Не беспокоить до завтра, 9:00</translation>
    </message>
</context>
<context>
    <name>Relay</name>
    <message>
        <source>Office relay unavailable, polling the portal directly</source>
        <extracomment>How often a desktop that fell back asks the relay again. The first portal refresh after a fallback comes after a random delay up to this share of the poll interval (the data shown meanwhile is the relay&apos;s last, with its true age). No relay configured: the portal, as always. A relay is configured and is being reached. The relay&apos;s data, not a single portal request. The relay cannot be used: the portal, directly, until the relay is back.</extracomment>
        <translation>Офисный ретранслятор недоступен, опрашиваем портал напрямую</translation>
    </message>
    <message>
        <source>Via the office relay</source>
        <translation>Через офисный ретранслятор</translation>
    </message>
    <message>
        <source>Connecting to the office relay…</source>
        <translation>Подключение к офисному ретранслятору…</translation>
    </message>
    <message>
        <source>The office relay&apos;s address cannot be used: check it in Settings.</source>
        <translation>Адрес офисного ретранслятора не подходит: проверьте его в настройках.</translation>
    </message>
    <message>
        <source>Redis refused the office relay&apos;s user name or password.</source>
        <translation>Redis отклонил имя пользователя или пароль офисного ретранслятора.</translation>
    </message>
    <message>
        <source>The office relay&apos;s Redis user may not read this portal&apos;s data.</source>
        <translation>Пользователю Redis офисного ретранслятора нельзя читать данные этого портала.</translation>
    </message>
    <message>
        <source>The office relay&apos;s TLS certificate could not be verified.</source>
        <translation>Не удалось проверить TLS-сертификат офисного ретранслятора.</translation>
    </message>
    <message>
        <source>The office relay (Redis) cannot be reached.</source>
        <translation>Офисный ретранслятор (Redis) недоступен.</translation>
    </message>
    <message>
        <source>The office relay&apos;s data makes no sense.</source>
        <translation>Данные офисного ретранслятора повреждены.</translation>
    </message>
    <message>
        <source>The office relay has published nothing for this portal yet.</source>
        <translation>Офисный ретранслятор ещё ничего не опубликовал для этого портала.</translation>
    </message>
    <message>
        <source>The office relay has stopped: its heartbeat is gone.</source>
        <translation>Офисный ретранслятор остановлен: его сигнал активности пропал.</translation>
    </message>
    <message>
        <source>The portal refused the office relay&apos;s webhook.</source>
        <extracomment>The relay&apos;s failure kinds as the window&apos;s (its webhook refused is not the user&apos;s).</extracomment>
        <translation>Портал отклонил вебхук офисного ретранслятора.</translation>
    </message>
    <message>
        <source>The office relay has had no answer from the portal for a while.</source>
        <translation>Офисный ретранслятор давно не получает ответа от портала.</translation>
    </message>
    <message>
        <source>The office relay cannot refresh from the portal.</source>
        <translation>Офисный ретранслятор не может обновить данные с портала.</translation>
    </message>
    <message>
        <source>The office relay polls the portal once for everyone; this computer reads it and asks the portal only for what is personal.</source>
        <translation>Офисный ретранслятор опрашивает портал один раз за всех; этот компьютер читает его данные и обращается к порталу только за личным.</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>The relay&apos;s address must start with rediss://.</source>
        <translation>Адрес ретранслятора должен начинаться с rediss://.</translation>
    </message>
    <message>
        <source>The relay&apos;s address names no server.</source>
        <translation>В адресе ретранслятора не указан сервер.</translation>
    </message>
    <message>
        <source>Type the password in the Password field, not in the address: the address is saved as plain text.</source>
        <translation>Введите пароль в поле «Пароль», а не в адрес: адрес сохраняется открытым текстом.</translation>
    </message>
    <message>
        <source>Plain redis:// would carry the password and the directory unencrypted: use rediss:// for a server on another computer.</source>
        <translation>Обычный redis:// передал бы пароль и справочник без шифрования: для сервера на другом компьютере используйте rediss://.</translation>
    </message>
    <message>
        <source>The certificate file named by ca= does not exist.</source>
        <translation>Файл сертификата, указанный в ca=, не существует.</translation>
    </message>
    <message>
        <source>This is not a relay address; it looks like rediss://HOST:PORT/0, optionally with ?ca=FILE.</source>
        <translation>Это не адрес ретранслятора; он выглядит как rediss://HOST:PORT/0, при необходимости с ?ca=FILE.</translation>
    </message>
    <message>
        <source>Office relay</source>
        <translation>Офисный ретранслятор</translation>
    </message>
    <message>
        <source>Read presence from your office&apos;s relay (Redis) instead of polling the portal from this computer; your IT department gives these. Leave the address empty to poll the portal directly.</source>
        <translation>Получать присутствие от офисного ретранслятора (Redis), а не опрашивать портал с этого компьютера; эти данные выдаёт ваш ИТ-отдел. Оставьте адрес пустым, чтобы опрашивать портал напрямую.</translation>
    </message>
    <message>
        <source>Office relay address</source>
        <translation>Адрес офисного ретранслятора</translation>
    </message>
    <message>
        <source>Office relay user</source>
        <translation>Пользователь офисного ретранслятора</translation>
    </message>
    <message>
        <source>Office relay password</source>
        <translation>Пароль офисного ретранслятора</translation>
    </message>
    <message>
        <source>stored in the keyring; type to replace</source>
        <translation>хранится в связке ключей; введите, чтобы заменить</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Адрес:</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>Пользователь:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Пароль:</translation>
    </message>
    <message>
        <source>A Redis user name has no spaces and none of @ : /.</source>
        <translation>Имя пользователя Redis не содержит пробелов и символов @ : /.</translation>
    </message>
    <message>
        <source>The office relay&apos;s password could not be stored: %1</source>
        <translation>Не удалось сохранить пароль офисного ретранслятора: %1</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>не подключён</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>Изменить…</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Забыть</translation>
    </message>
    <message>
        <source>Nothing: the demo portal needs no webhook.</source>
        <translation>Нигде: демо-порталу вебхук не нужен.</translation>
    </message>
    <message>
        <source>The webhook is kept in a private file (readable by you only), because no system keyring is available.</source>
        <translation>Вебхук хранится в закрытом файле (читать его можете только вы), так как системное хранилище ключей недоступно.</translation>
    </message>
    <message>
        <source> s</source>
        <translation> с</translation>
    </message>
    <message>
        <source>From 15 seconds to 15 minutes</source>
        <translation>От 15 секунд до 15 минут</translation>
    </message>
    <message>
        <source> min</source>
        <translation> мин</translation>
    </message>
    <message>
        <source>A colleague counts as online for this long after their last activity (Bitrix24&apos;s messenger uses 15 minutes)</source>
        <translation>Сколько времени после последней активности коллега считается в сети (в мессенджере Битрикс24 — 15 минут)</translation>
    </message>
    <message>
        <source>Notify me when watched colleagues become available</source>
        <translation>Уведомлять, когда отслеживаемые коллеги становятся доступны</translation>
    </message>
    <message>
        <source>Start in the tray</source>
        <translation>Запускать свёрнутым в трей</translation>
    </message>
    <message>
        <source>Start when I log in</source>
        <translation>Запускать при входе в систему</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Как в системе</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Светлая</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Тёмная</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Ошибки</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Предупреждения</translation>
    </message>
    <message>
        <source>Information</source>
        <translation>Информация</translation>
    </message>
    <message>
        <source>Debugging</source>
        <translation>Отладка</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>Открыть папку журналов</translation>
    </message>
    <message>
        <source>Export diagnostics…</source>
        <translation>Экспорт диагностики…</translation>
    </message>
    <message>
        <source>A zip of logs, versions and settings, with every secret removed</source>
        <translation>ZIP-архив с журналами, версиями и настройками, из которого удалены все секреты</translation>
    </message>
    <message>
        <source>Portal:</source>
        <translation>Портал:</translation>
    </message>
    <message>
        <source>Webhook stored in:</source>
        <translation>Хранилище вебхука:</translation>
    </message>
    <message>
        <source>Refresh every:</source>
        <translation>Обновлять каждые:</translation>
    </message>
    <message>
        <source>Online window:</source>
        <translation>Считать в сети:</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>Тема:</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Язык:</translation>
    </message>
    <message>
        <source>A new language applies the next time the app starts.</source>
        <translation>Новый язык будет применён при следующем запуске приложения.</translation>
    </message>
    <message>
        <source>Log level:</source>
        <translation>Уровень журнала:</translation>
    </message>
    <message>
        <source>Forget this portal? Its webhook is removed from this computer.</source>
        <translation>Забыть этот портал? Его вебхук будет удалён с этого компьютера.</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>%n минуту назад</numerusform>
            <numerusform>%n минуты назад</numerusform>
            <numerusform>%n минут назад</numerusform>
        </translation>
    </message>
    <message>
        <source>online</source>
        <extracomment>lupdate reads ``Status.tr(text, None, n)`` as a plural message in context &quot;Status&quot;.</extracomment>
        <translation>в сети</translation>
    </message>
    <message>
        <source>online on mobile</source>
        <translation>в сети с телефона</translation>
    </message>
    <message>
        <source>away</source>
        <translation>нет на месте</translation>
    </message>
    <message>
        <source>do not disturb</source>
        <translation>не беспокоить</translation>
    </message>
    <message>
        <source>on a break</source>
        <translation>на перерыве</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>не в сети</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>только что</translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s) ago</source>
        <translation>
            <numerusform>%n час назад</numerusform>
            <numerusform>%n часа назад</numerusform>
            <numerusform>%n часов назад</numerusform>
        </translation>
    </message>
    <message>
        <source>yesterday at %1</source>
        <translation>вчера в %1</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>%n день назад</numerusform>
            <numerusform>%n дня назад</numerusform>
            <numerusform>%n дней назад</numerusform>
        </translation>
    </message>
    <message>
        <source>on %1</source>
        <translation>%1</translation>
    </message>
    <message>
        <source>last seen %1</source>
        <translation>был(а) %1</translation>
    </message>
    <message>
        <source>on vacation, back on %1</source>
        <translation>в отпуске, вернётся %1</translation>
    </message>
    <message>
        <source>birthday today</source>
        <translation>сегодня день рождения</translation>
    </message>
</context>
<context>
    <name>Team</name>
    <message>
        <source>unexpected error (see the log)</source>
        <extracomment>``im.department.get`` ids per call, and calls at most (docs/bitrix24-api.md §3.4). ``department.get`` pages at most (50 rows each, docs/bitrix24-api.md §3.5).</extracomment>
        <translation>непредвиденная ошибка (подробности в журнале)</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Подразделение</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Доступны</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>Отделы</translation>
    </message>
    <message>
        <source>Head of the department</source>
        <translation>Руководитель подразделения</translation>
    </message>
    <message>
        <source>Departments could not be loaded: %1</source>
        <translation>Не удалось загрузить отделы: %1</translation>
    </message>
    <message>
        <source>All departments</source>
        <translation>Все подразделения</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 из %2</translation>
    </message>
    <message>
        <source>%1: %2 of %3 available</source>
        <translation>%1: доступны %2 из %3</translation>
    </message>
    <message>
        <source>%1 of %2 available</source>
        <translation>Доступны %1 из %2</translation>
    </message>
    <message>
        <source>Head: %1</source>
        <translation>Руководитель: %1</translation>
    </message>
    <message>
        <source>colleague %1</source>
        <translation>коллега %1</translation>
    </message>
    <message>
        <source>Sort by presence, then name</source>
        <extracomment>The structure is asked again for new department ids at most this often. Each choice says what it is for: screen readers announce a combo box by its current text.</extracomment>
        <translation>Сортировка по присутствию и имени</translation>
    </message>
    <message>
        <source>Sort by last seen</source>
        <translation>Сортировка по последней активности</translation>
    </message>
    <message>
        <source>Matched the position: %1</source>
        <translation>Найдено в должности: %1</translation>
    </message>
    <message>
        <source>Matched the department: %1</source>
        <translation>Найдено в подразделении: %1</translation>
    </message>
    <message>
        <source>Matched the e-mail: %1</source>
        <translation>Найдено в e-mail: %1</translation>
    </message>
    <message>
        <source>Matched the phone: %1</source>
        <translation>Найдено в телефоне: %1</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>Команда</translation>
    </message>
    <message>
        <source>Team toolbar</source>
        <translation>Панель инструментов команды</translation>
    </message>
    <message>
        <source>Sort the list by</source>
        <translation>Сортировать список по</translation>
    </message>
    <message>
        <source>Team panel</source>
        <translation>Панель команды</translation>
    </message>
    <message>
        <source>Departments, who can pick up now, who is out (Ctrl+T)</source>
        <translation>Подразделения, кто может ответить сейчас, кто отсутствует (Ctrl+T)</translation>
    </message>
    <message>
        <source>About</source>
        <translation>О программе</translation>
    </message>
    <message>
        <source>About, data age and keyboard shortcuts (F1)</source>
        <translation>О программе, возраст данных и сочетания клавиш (F1)</translation>
    </message>
    <message>
        <source>Team views</source>
        <translation>Представления команды</translation>
    </message>
    <message>
        <source>Pick up now</source>
        <translation>Ответят сейчас</translation>
    </message>
    <message>
        <source>Who is out</source>
        <translation>Кто отсутствует</translation>
    </message>
    <message>
        <source>Colleagues available now who have a phone</source>
        <translation>Доступные сейчас коллеги с телефоном</translation>
    </message>
    <message>
        <source>Colleagues on vacation, by the day they are back</source>
        <translation>Коллеги в отпуске — по дню возвращения</translation>
    </message>
    <message>
        <source>Back on Monday</source>
        <extracomment>Rows shown at most (the most recently active); the list says how many more there are. &quot;Back on &lt;weekday&gt;&quot;, whole (languages change the preposition with the day).</extracomment>
        <translation>Вернётся в понедельник</translation>
    </message>
    <message>
        <source>Back on Tuesday</source>
        <translation>Вернётся во вторник</translation>
    </message>
    <message>
        <source>Back on Wednesday</source>
        <translation>Вернётся в среду</translation>
    </message>
    <message>
        <source>Back on Thursday</source>
        <translation>Вернётся в четверг</translation>
    </message>
    <message>
        <source>Back on Friday</source>
        <translation>Вернётся в пятницу</translation>
    </message>
    <message>
        <source>Back on Saturday</source>
        <translation>Вернётся в субботу</translation>
    </message>
    <message>
        <source>Back on Sunday</source>
        <translation>Вернётся в воскресенье</translation>
    </message>
    <message>
        <source>Back tomorrow</source>
        <translation>Вернётся завтра</translation>
    </message>
    <message>
        <source>Back on %1</source>
        <translation>Вернётся %1</translation>
    </message>
    <message>
        <source>Colleague</source>
        <translation>Коллега</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Позвонить</translation>
    </message>
    <message>
        <source>Who can pick up now</source>
        <translation>Кто может ответить сейчас</translation>
    </message>
    <message>
        <source>About this list</source>
        <translation>Об этом списке</translation>
    </message>
    <message>
        <source>Call %1</source>
        <translation>Позвонить: %1</translation>
    </message>
    <message>
        <source>%1, call %2</source>
        <translation>%1, позвонить по номеру %2</translation>
    </message>
    <message>
        <source>Nobody with a phone is available right now.</source>
        <translation>Нет доступных коллег с телефоном.</translation>
    </message>
    <message>
        <source>The %1 most recently active of %2; click a number to call.</source>
        <translation>%1 недавно активных из %2; нажмите на номер, чтобы позвонить.</translation>
    </message>
    <message>
        <source>Most recently active first; click a number to call.</source>
        <translation>Сначала недавно активные; нажмите на номер, чтобы позвонить.</translation>
    </message>
    <message>
        <source>Nobody is on vacation.</source>
        <translation>Никто не в отпуске.</translation>
    </message>
    <message>
        <source>%1 on vacation</source>
        <translation>В отпуске: %1</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Online</source>
        <extracomment>The statuses Bitrix24 lets a user choose (im.user.status.set).</extracomment>
        <translation>В сети</translation>
    </message>
    <message>
        <source>Do not disturb</source>
        <translation>Не беспокоить</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>Нет на месте</translation>
    </message>
    <message>
        <source>On a break</source>
        <translation>На перерыве</translation>
    </message>
    <message>
        <source>portal unreachable since %1</source>
        <translation>портал недоступен с %1</translation>
    </message>
    <message>
        <source>portal too slow to answer since %1</source>
        <translation>портал слишком медленно отвечает с %1</translation>
    </message>
    <message>
        <source>portal limiting requests since %1</source>
        <translation>портал ограничивает запросы с %1</translation>
    </message>
    <message>
        <source>polling stopped at %1</source>
        <translation>опрос остановлен в %1</translation>
    </message>
    <message>
        <source>portal&apos;s answers unusable since %1</source>
        <translation>ответы портала непригодны с %1</translation>
    </message>
    <message>
        <source>and %1 more</source>
        <translation>и ещё %1</translation>
    </message>
    <message>
        <source>%1 watched colleagues are available</source>
        <translation>Отслеживаемые коллеги на связи: %1</translation>
    </message>
    <message>
        <source>%1 is available</source>
        <translation>%1 на связи</translation>
    </message>
    <message>
        <source>bx24presence: connecting…</source>
        <extracomment>Shows a desktop notification: (title, body, icon, milliseconds). The texts it gets are markup-safe: notification servers with body markup (org.freedesktop.Notifications) and Qt&apos;s own balloon read them as rich text. Whether the window is on screen (the menu then offers &quot;Hide window&quot;). Adds more own-status choices (timed &quot;do not disturb&quot;) to the &quot;My status&quot; menu.</extracomment>
        <translation>bx24presence: подключение…</translation>
    </message>
    <message>
        <source>%1 of %2 available · updated %3</source>
        <translation>Доступно %1 из %2 · обновлено в %3</translation>
    </message>
    <message>
        <source>My status: %1</source>
        <translation>Мой статус: %1</translation>
    </message>
    <message>
        <source>…and %1 more</source>
        <translation>…и ещё %1</translation>
    </message>
    <message>
        <source>Star colleagues in the window to watch them here</source>
        <translation>Отметьте коллег звёздочкой в окне, чтобы следить за ними здесь</translation>
    </message>
    <message>
        <source>My status</source>
        <translation>Мой статус</translation>
    </message>
    <message>
        <source>Refresh now</source>
        <translation>Обновить сейчас</translation>
    </message>
    <message>
        <source>Hide window</source>
        <translation>Скрыть окно</translation>
    </message>
    <message>
        <source>Show window</source>
        <translation>Показать окно</translation>
    </message>
    <message>
        <source>Today&apos;s notifications…</source>
        <translation>Уведомления за сегодня…</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Настройки…</translation>
    </message>
    <message>
        <source>About…</source>
        <translation>О программе…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
</context>
<context>
    <name>Watch</name>
    <message>
        <source>Once</source>
        <translation>Один раз</translation>
    </message>
    <message>
        <source>Every time</source>
        <translation>Каждый раз</translation>
    </message>
    <message>
        <source>Every time, today only</source>
        <translation>Каждый раз, только сегодня</translation>
    </message>
    <message>
        <source>Stop notifying</source>
        <translation>Не уведомлять</translation>
    </message>
</context>
<context>
    <name>Welcome</name>
    <message>
        <source>1. In Bitrix24 open Developer resources → Other → Incoming webhook.
2. Tick the permissions Messenger (im) and Users (user_brief).
3. Save, copy the webhook address and paste it here.</source>
        <translation>1. В Битрикс24 откройте «Разработчикам» → «Другое» → «Входящий вебхук».
2. Отметьте права «Мессенджер (im)» и «Пользователи (user_brief)».
3. Сохраните, скопируйте адрес вебхука и вставьте его сюда.</translation>
    </message>
    <message>
        <source>The address works like a password: bx24presence keeps it in your system&apos;s keyring.</source>
        <extracomment>Where the webhook goes: said as it is on this computer, never a keyring that is not there.</extracomment>
        <translation>Адрес работает как пароль: bx24presence хранит его в системном хранилище ключей.</translation>
    </message>
    <message>
        <source>The address works like a password. This computer has no system keyring, so bx24presence keeps it in a file only you can read.</source>
        <translation>Адрес работает как пароль. На этом компьютере нет системного хранилища ключей, поэтому bx24presence хранит его в файле, доступном только вам.</translation>
    </message>
    <message>
        <source>Welcome to bx24presence</source>
        <translation>Добро пожаловать в bx24presence</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>See which colleagues are available right now</source>
        <translation>Кто из коллег доступен прямо сейчас</translation>
    </message>
    <message>
        <source>bx24presence shows who among your Bitrix24 colleagues is online, away or on vacation, and tells you when the people you wait for come online.</source>
        <translation>bx24presence показывает, кто из ваших коллег в Битрикс24 в сети, нет на месте или в отпуске, и сообщает, когда нужные вам люди появляются в сети.</translation>
    </message>
    <message>
        <source>Connect to my Bitrix24</source>
        <translation>Подключить мой Битрикс24</translation>
    </message>
    <message>
        <source>Try the demo</source>
        <translation>Попробовать демо</translation>
    </message>
    <message>
        <source>A simulated company on this computer: no account needed</source>
        <translation>Имитация компании на этом компьютере: учётная запись не нужна</translation>
    </message>
    <message>
        <source>Connect with an incoming webhook</source>
        <translation>Подключение через входящий вебхук</translation>
    </message>
    <message>
        <source>Webhook address</source>
        <translation>Адрес вебхука</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Показать</translation>
    </message>
    <message>
        <source>Allow plain http:// (a self-hosted portal without HTTPS)</source>
        <translation>Разрешить http:// без шифрования (коробочный портал без HTTPS)</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Назад</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Проверить подключение</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Подключиться</translation>
    </message>
    <message>
        <source>Webhook address:</source>
        <translation>Адрес вебхука:</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Проверка подключения…</translation>
    </message>
</context>
</TS>
