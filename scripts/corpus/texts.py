"""Prose the corpus's text, PDF and DOCX files carry: real sentences in several scripts, written for this
corpus (no copyrighted source), each long enough to be judged on its merits rather than its length."""

ENGLISH = """The river town of Ashford grew up around a single stone bridge. For three centuries, every cart that carried wool from the hill farms to the coast had to cross it, and the tolls paid for the church, the school and the first paved street. When the railway arrived in 1861, the bridge lost its monopoly almost overnight. Merchants who had built their warehouses beside the water moved them to the station yard, and the old quay slowly filled with reeds.

Historians disagree about what happened next. Some argue that the town declined for fifty years, pointing to the census figures, which show the population falling from about four thousand to under three thousand by 1911. Others note that the people who left were mostly carters, ostlers and innkeepers, whose trades the railway had made obsolete, while the number of clerks, teachers and engineers rose steadily. In their reading, Ashford did not decline so much as change its character.

The parish records support the second view. Baptisms fell, but literacy, measured by the share of brides and grooms who could sign the register, climbed from sixty percent to nearly ninety. A lending library opened in 1874, funded by a subscription among the station staff. By the end of the century the town had two newspapers, a brass band and a cricket club that played against teams from three counties.

What the bridge had given Ashford was traffic; what the railway gave it was time. A farmer who once spent two days taking his fleeces to market could now send them by the morning goods train and be back in his fields by noon. That saving, multiplied across hundreds of households, is harder to see in the records than the empty warehouses, but it may matter more.
"""

FRENCH = """Au début du printemps, les pêcheurs du village remettaient leurs barques à l'eau après les tempêtes de l'hiver. On calfatait les coques, on réparait les filets, et les enfants couraient sur la grève pour ramasser les morceaux de bois que la mer avait rejetés. Le vieux Mathieu, qui avait navigué quarante ans, surveillait les travaux depuis le banc de pierre devant l'église.

Il racontait volontiers comment, dans sa jeunesse, on partait avant l'aube sans savoir si l'on reviendrait le soir. Les prévisions météorologiques n'existaient pas encore ; on lisait le ciel, la couleur de l'eau, le vol des mouettes. Une fois, disait-il, le vent avait tourné si vite que trois bateaux s'étaient réfugiés dans une crique de l'île voisine, où ils étaient restés quatre jours à manger des coquillages.

Aujourd'hui, les jeunes consultent leur téléphone avant de sortir, et Mathieu trouve cela très bien. « La mer n'a pas changé, dit-il, mais on n'est plus obligé de deviner. » Il ajoute pourtant qu'aucun écran ne remplace l'habitude de regarder l'horizon, et que les meilleurs marins sont ceux qui savent encore le faire.
"""

GERMAN = """Die kleine Bibliothek am Marktplatz wurde im Jahr 1902 von einem Verein gegründet, dessen Mitglieder jeweils ein Buch pro Monat spendeten. Anfangs bestand der Bestand aus kaum dreihundert Bänden, überwiegend Romanen, Reiseberichten und landwirtschaftlichen Ratgebern. Die Ausleihe war kostenlos, doch wer ein Buch beschädigte, musste es ersetzen oder eine Woche lang die Regale abstauben.

Während des Krieges diente das Gebäude als Lager für Lebensmittel, und viele Bücher gingen verloren. Nach 1950 begann eine pensionierte Lehrerin, Frau Köhler, die Sammlung neu aufzubauen. Sie schrieb Briefe an Verlage in ganz Deutschland und bat um Exemplare, die sich nicht verkauft hatten. Erstaunlich viele antworteten, und innerhalb von zehn Jahren war die Bibliothek größer als je zuvor.

Heute gibt es dort Computer, Zeitschriften und eine Ecke für Kinder mit Kissen auf dem Boden. Über dem Eingang hängt noch immer ein Schild mit dem alten Leitspruch des Vereins: „Ein Buch, das niemand liest, ist nur Papier.“
"""

SPANISH = """La plaza del pueblo se llenaba cada sábado con los puestos del mercado. Los agricultores llegaban de madrugada con sus carros cargados de tomates, pimientos, naranjas y quesos envueltos en paños húmedos. A media mañana el ruido era tal que apenas se oían las campanas de la iglesia, y los niños aprovechaban la confusión para probar la fruta sin pagar.

Doña Carmen vendía miel desde hacía más de treinta años. Tenía sus colmenas en la ladera del monte, entre romeros y tomillos, y decía que cada estación daba un sabor distinto. La miel de primavera era clara y suave; la de otoño, oscura y casi amarga. Los clientes fieles sabían que convenía comprar de ambas y guardarlas para el invierno, cuando las abejas descansan y el monte se queda en silencio.
"""

RUSSIAN = """Зимой деревня казалась почти пустой. Дороги заносило снегом, автобус из города приходил раз в неделю, и жители выходили из домов только за дровами или в магазин. Но по вечерам в окнах горел свет, и из труб поднимался дым, ровный и прямой в морозном воздухе.

Учительница Анна Петровна вела в школе сразу три класса. Младшие учились читать, средние решали задачи на дроби, а старшие писали сочинения о книгах, которые она привозила из районной библиотеки. Она говорила, что маленькая школа имеет свои преимущества: каждый ученик на виду, и никто не может спрятаться за чужой спиной.

Весной, когда сходил снег, дети высаживали у школы деревья. За двадцать лет вдоль забора выросла целая аллея берёз, и выпускники, приезжая в гости, первым делом искали своё дерево.
"""

GREEK = """Το μικρό λιμάνι του νησιού ζωντάνευε κάθε καλοκαίρι. Τα καΐκια έφερναν επισκέπτες από την ηπειρωτική χώρα, και οι ταβέρνες έβγαζαν τα τραπέζια τους ως την άκρη του νερού. Οι ψαράδες επέστρεφαν νωρίς το πρωί και πουλούσαν τα ψάρια κατευθείαν από τις βάρκες, ενώ οι γάτες του λιμανιού περίμεναν υπομονετικά τα υπολείμματα.

Ο παππούς Νικόλας θυμόταν την εποχή που δεν υπήρχε ηλεκτρικό ρεύμα στο νησί. Τα βράδια μαζεύονταν όλοι στην πλατεία και έλεγαν ιστορίες κάτω από το φως των λαμπών πετρελαίου. Έλεγε ότι τότε οι άνθρωποι μιλούσαν περισσότερο και βιάζονταν λιγότερο.
"""

CHINESE = """这座小城坐落在两条河流的交汇处，自古以来就是南北货物往来的必经之地。早在宋代，城外的码头上就停满了运粮的船只，商人们在岸边搭起棚子，买卖丝绸、茶叶和瓷器。到了明清时期，城里已经有了十几家钱庄和几十家客栈，街道两旁的店铺一直延伸到城门口。

后来铁路修通了，河运渐渐衰落，码头上的船一年比一年少。许多老字号关了门，年轻人纷纷去大城市谋生。有一段时间，人们都以为这座城会慢慢变得冷清，再也恢复不了往日的热闹。

然而，事情并没有像大家预料的那样发展。二十多年前，几位退休的老师发起了一个保护老街的计划。他们走访了每一户人家，记录下房屋的历史和主人的故事，又请来工匠修缮破损的木门和青石板路。消息传开以后，越来越多的游客专程赶来，在老街上喝茶、听戏、看手艺人做竹编和剪纸。

如今，这里的早晨依旧安静。卖豆浆油条的小摊最先开张，接着是修鞋的、理发的、卖菜的。到了中午，游客多起来，茶馆里坐满了人，说书先生拍一下醒木，讲起三国和水浒的故事。傍晚时分，夕阳照在河面上，老人们坐在桥头乘凉，孩子们在石阶上追来追去。

一位在这里住了一辈子的老人说，城市变了很多，但有些东西从来没有变过：邻居之间互相帮忙，过年时家家户户贴春联，中秋节一起在河边赏月。他说，只要这些还在，这座城就还是原来的样子。
"""

JAPANESE = """山あいの小さな村には、古くから続く和紙づくりの工房がある。冬になると、職人たちは川の冷たい水で楮の皮をさらし、何日もかけて繊維をほぐしていく。寒い季節ほど水が澄んでいて、良い紙ができるのだという。

工房の主人は三代目で、祖父の代から使っている道具を今も大切にしている。簀桁を前後に揺らして紙を漉く動きは一見単純に見えるが、厚さを均一にするには長い経験が必要だ。若い弟子が一人前になるまでには、少なくとも十年はかかると主人は言う。

かつては村のほとんどの家が紙を漉いていたが、機械で作った安い紙が出回るようになってから、工房の数は急に減った。一時は主人の家だけになり、跡を継ぐ者もいないと思われていた。

ところが最近になって、都会から移り住んだ若者たちが和紙づくりを学びに来るようになった。彼らは伝統的な技法を守りながら、照明器具や名刺、本の装丁など新しい使い方を考えている。インターネットで注文を受け、海外に送ることも珍しくなくなった。

主人は、紙は生きものだと言う。同じ原料、同じ水を使っても、その日の気温や湿度によって仕上がりが少しずつ違う。その違いを感じ取り、手を加えていくことこそが、この仕事の面白さなのだそうだ。
"""

KOREAN = """바닷가 작은 마을에는 매년 가을마다 멸치를 말리는 풍경이 펼쳐진다. 새벽에 배가 들어오면 마을 사람들이 모두 나와 그물에서 멸치를 털어내고, 큰 솥에 삶아 넓은 채반 위에 널어 말린다. 햇볕이 좋은 날이면 하루 만에 바싹 마르지만, 흐린 날에는 사흘이 걸리기도 한다.

마을의 할머니들은 멸치의 크기와 색깔만 보고도 어느 바다에서 잡혔는지 알아맞힌다고 한다. 젊은 사람들은 처음에는 믿지 않았지만, 몇 번 확인해 보고 나서는 할머니들의 눈을 따라갈 수 없다는 것을 인정했다.
"""

ARABIC = """في الصباح الباكر يستيقظ السوق القديم في المدينة قبل أن تشرق الشمس. يفتح التجار أبواب دكاكينهم الخشبية، ويرشون الماء أمامها ليهدأ الغبار، ثم يرتبون بضائعهم من التوابل والأقمشة والنحاس. وتنتشر في الأزقة الضيقة رائحة القهوة والهيل والخبز الطازج الخارج لتوه من الأفران.

كان جدي يملك دكانا صغيرا لبيع الكتب المستعملة في زاوية السوق. كان يقول إن كل كتاب يحمل قصتين: القصة المكتوبة فيه، وقصة الأشخاص الذين قرؤوه قبلنا. وكان يحتفظ بالملاحظات التي يتركها القراء في الهوامش، ويعرضها على الزبائن كأنها كنوز صغيرة.

واليوم ما زال الدكان مفتوحا، يديره ابن عمي الذي تعلم المهنة من جدي. وقد أضاف إليه ركنا لبيع الكتب الجديدة، لكنه يقول إن الزبائن ما زالوا يفضلون الرفوف القديمة، حيث يمكن أن يعثر المرء على ما لم يكن يبحث عنه.
"""

HEBREW = """בעיר העתיקה יש סמטה צרה שבה עובדים צורפי כסף כבר מאות שנים. בכל בוקר הם פותחים את החלונות הקטנים של בתי המלאכה, ונשמעים צלילי הפטישים הקטנים על המתכת. התיירים עוצרים להסתכל, והאומנים מסבירים בסבלנות איך הופכים חוט כסף דק לתכשיט עדין.

אחד הצורפים הוותיקים מספר שלמד את המקצוע מאביו, שלמד אותו מסבו. לדבריו, הכלים כמעט לא השתנו, אבל הטעם של הקונים משתנה כל הזמן, וצריך ללמוד משהו חדש בכל שנה.
"""

HINDI = """गाँव के बीच में एक पुराना बरगद का पेड़ है, जिसकी छाया में हर शाम लोग इकट्ठा होते हैं। बुज़ुर्ग वहाँ बैठकर पुरानी कहानियाँ सुनाते हैं, बच्चे खेलते हैं और किसान दिन भर की फ़सल की बातें करते हैं। कहा जाता है कि यह पेड़ दो सौ साल से भी ज़्यादा पुराना है।

बरसात के मौसम में जब खेतों में पानी भर जाता है, तब भी लोग इसी पेड़ के नीचे मिलते हैं। गाँव की पंचायत के कई बड़े फ़ैसले यहीं लिए गए हैं। स्कूल के अध्यापक कभी-कभी बच्चों को यहीं पढ़ाते हैं, ताकि वे खुली हवा में सीख सकें।

पिछले साल जब एक तूफ़ान में पेड़ की एक बड़ी डाल टूट गई, तो पूरे गाँव ने मिलकर उसकी देखभाल की। किसी ने पानी डाला, किसी ने मिट्टी चढ़ाई, और कुछ ही महीनों में नई कोंपलें निकल आईं।
"""

THAI = """ตลาดน้ำในจังหวัดเล็กๆ แห่งนี้เปิดขายตั้งแต่เช้ามืด แม่ค้าพายเรือบรรทุกผลไม้ ผัก และขนมพื้นบ้านมาจากสวนที่อยู่ริมคลอง นักท่องเที่ยวนั่งเรือชมบรรยากาศและซื้ออาหารจากเรือที่ลอยผ่านไปมา

ยายคนหนึ่งขายก๋วยเตี๋ยวเรือมากว่าสี่สิบปี นางบอกว่าสูตรน้ำซุปได้มาจากแม่ และไม่เคยเปลี่ยนเลยตั้งแต่วันแรกที่เริ่มขาย ลูกค้าประจำหลายคนกินมาตั้งแต่เป็นเด็กจนตอนนี้พาหลานมากินด้วย
"""

TEXTS = {
    "english": ENGLISH,
    "french": FRENCH,
    "german": GERMAN,
    "spanish": SPANISH,
    "russian": RUSSIAN,
    "greek": GREEK,
    "chinese": CHINESE,
    "japanese": JAPANESE,
    "korean": KOREAN,
    "arabic": ARABIC,
    "hebrew": HEBREW,
    "hindi": HINDI,
    "thai": THAI,
}

MARKDOWN = """# Field notes: the Ashford survey

## Purpose

This survey records the **buildings along the old quay** before the planned restoration. Each entry gives the
building's use, its condition and the sources that mention it.

## Method

1. Walk the quay from the bridge to the station yard.
2. Photograph every facade from the opposite bank.
3. Compare what is seen with the 1861 and 1911 maps.

Sources that disagree are noted rather than reconciled; see the [parish records](https://example.org/records)
for the original registers.

## Findings

| Building | Use in 1861 | Use today | Condition |
| --- | --- | --- | --- |
| Wool store | warehouse | flats | good |
| Bridge Inn | inn | café | fair |
| Toll house | toll office | museum | restored |

> The warehouses moved to the station yard within ten years of the railway's arrival.

Most of the quay's buildings changed use at least twice. The wool store, for example, became a brewery in
1890 and a furniture workshop in 1950, before its conversion into flats. Only the toll house kept a public
role throughout, first collecting tolls, then serving as the parish office, and now as a small museum.

```
quay length: 412 m
buildings surveyed: 23
listed buildings: 7
```

## Next steps

- Check the brewery's records in the county archive.
- Interview residents who remember the workshop.
- Publish the survey with the restoration plan.
"""
