"""Short buyer and seller messages in the six UI languages, drawn from a seeded random generator."""

#: The word the benchmark searches for: it is in most English buyer messages, as "order" is in real inboxes.
COMMON_WORD = "order"
#: A word of middling frequency ("refund", "refunded"): in one conversation in ten, too few of the newest to fill a
#: page of a search from them (at L, 39 of the 500 newest of all shops), yet in 25,663 conversations in all.
MEDIUM_WORD = "refund"

LANGUAGES = ("en", "ru", "pl", "zh", "bn", "fa")
#: The ten shops: name, platform, default language, timezone, currency.
SHOPS = (
    ("Amber Studio", "etsy", "en", "Europe/Warsaw", "USD"),
    ("Lotus Crafts", "digikala", "fa", "Asia/Tehran", "IRR"),
    ("Сибирские узоры", "ozon", "ru", "Europe/Moscow", "RUB"),
    ("Polska Ceramika", "ebay", "pl", "Europe/Warsaw", "PLN"),
    ("熊猫茶馆", "amazon", "zh", "Asia/Shanghai", "CNY"),
    ("ঢাকা তাঁত", "other", "bn", "Asia/Dhaka", "BDT"),
    ("Wild Orchid", "wildberries", "ru", "Europe/Moscow", "RUB"),
    ("Northern Lights", "etsy", "en", "America/New_York", "USD"),
    ("Silk Road Bazaar", "amazon", "en", "Europe/London", "GBP"),
    ("Kraków Amber", "etsy", "pl", "Europe/Warsaw", "PLN"),
)

SAVED_REPLY_TOPICS = ("Shipping time", "Tracking", "Refund", "Exchange", "Custom order", "Thanks", "Delay",
                      "Customs", "Gift wrap", "Discount")

VOCABULARY = {
    "en": {
        "buyer": [
            "Hi, where is my order? It has been {n} days.",
            "The {product} arrived broken, can I get a refund?",
            "Can you ship the {product} to {city}?",
            "Is the {product} available in {color}?",
            "I ordered a {color} {product} but received a different one.",
            "Thank you, the {product} is beautiful!",
            "When will my order ship? I need it before {day}.",
            "Could you add a gift note to my order?",
            "The tracking number {tracking} does not work.",
            "Do you offer a discount for {n} items?",
            "My package is stuck in customs in {city}.",
            "Can I change the address on my order to {city}?",
        ],
        "seller": [
            "Hello {name}, thank you for your message. Your order shipped on {day}.",
            "We are sorry about the {product}; a replacement leaves today.",
            "Yes, the {product} is available in {color}.",
            "Your tracking number is {tracking}.",
            "We have refunded your order, it can take {n} days to appear.",
            "Thank you for your patience, the parcel is on its way to {city}.",
        ],
        "subject": ["Question about my order", "Shipping to {city}", "{product} in {color}", "Damaged {product}",
                    "Order status", "Gift wrapping"],
        "product": ["ceramic mug", "amber necklace", "silk scarf", "wool blanket", "leather wallet", "tea set",
                    "silver ring", "linen dress", "walnut bowl", "beeswax candle", "felt slippers", "copper kettle"],
        "color": ["red", "navy blue", "olive green", "mustard", "charcoal", "ivory", "burgundy", "teal"],
        "city": ["Berlin", "Toronto", "Sydney", "Chicago", "Dublin", "Auckland", "Denver", "Glasgow"],
        "names": ["Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Sophia", "Lucas", "Mia", "Henry"],
        "days": ["Monday", "Tuesday", "Friday", "the weekend", "Christmas", "her birthday"],
    },
    "ru": {
        "buyer": [
            "Здравствуйте, где мой заказ? Прошло уже {n} дней.",
            "{product} пришла разбитой, можно вернуть деньги?",
            "Можно отправить {product} в {city}?",
            "Есть ли {product} в цвете «{color}»?",
            "Спасибо, {product} очень красивая!",
            "Когда отправите мой заказ? Нужно до {day}.",
            "Трек-номер {tracking} не работает.",
            "Посылка застряла на таможне в {city}.",
            "Можно изменить адрес доставки заказа на {city}?",
            "Будет ли скидка, если взять {n} штук?",
        ],
        "seller": [
            "Здравствуйте, {name}! Спасибо за сообщение, заказ отправлен {day}.",
            "Извините за {product}, сегодня отправим замену.",
            "Да, {product} есть в цвете «{color}».",
            "Ваш трек-номер: {tracking}.",
            "Мы вернули деньги, они придут в течение {n} дней.",
        ],
        "subject": ["Вопрос по заказу", "Доставка в {city}", "{product}", "Повреждённый товар", "Статус заказа"],
        "product": ["керамическая кружка", "янтарная подвеска", "шёлковая косынка", "шерстяная шаль",
                    "кожаная сумка", "деревянная шкатулка", "льняная скатерть", "серебряная брошь"],
        "color": ["красный", "синий", "оливковый", "горчичный", "графитовый", "бордовый"],
        "city": ["Москва", "Новосибирск", "Казань", "Екатеринбург", "Самара", "Владивосток"],
        "names": ["Анна", "Дмитрий", "Елена", "Сергей", "Ольга", "Михаил", "Наталья", "Иван"],
        "days": ["понедельника", "пятницы", "Нового года", "выходных", "двадцатого числа"],
    },
    "pl": {
        "buyer": [
            "Dzień dobry, gdzie jest moje zamówienie? Minęło już {n} dni.",
            "{product} dotarł uszkodzony, czy mogę dostać zwrot pieniędzy?",
            "Czy możecie wysłać {product} do miasta {city}?",
            "Czy {product} jest dostępny w kolorze {color}?",
            "Dziękuję, {product} jest piękny!",
            "Kiedy wyślecie moje zamówienie? Potrzebuję go przed {day}.",
            "Numer przesyłki {tracking} nie działa.",
            "Czy mogę zmienić adres dostawy na {city}?",
            "Czy jest rabat przy zakupie {n} sztuk?",
        ],
        "seller": [
            "Dzień dobry {name}, dziękujemy za wiadomość. Zamówienie wysłaliśmy {day}.",
            "Przepraszamy za {product}, dzisiaj wyślemy nowy.",
            "Tak, {product} jest dostępny w kolorze {color}.",
            "Numer przesyłki: {tracking}.",
            "Zwróciliśmy pieniądze, mogą dotrzeć w ciągu {n} dni.",
        ],
        "subject": ["Pytanie o zamówienie", "Wysyłka do {city}", "{product}", "Uszkodzona paczka", "Status zamówienia"],
        "product": ["kubek ceramiczny", "naszyjnik z bursztynu", "szalik jedwabny", "koc wełniany", "portfel skórzany",
                    "dzbanek gliniany", "pierścionek srebrny", "obrus lniany"],
        "color": ["czerwonym", "granatowym", "oliwkowym", "musztardowym", "grafitowym", "bordowym"],
        "city": ["Kraków", "Gdańsk", "Wrocław", "Poznań", "Łódź", "Szczecin"],
        "names": ["Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Paweł", "Agnieszka", "Michał"],
        "days": ["poniedziałkiem", "piątkiem", "świętami", "weekendem", "urodzinami"],
    },
    "zh": {
        "buyer": [
            "你好，我的订单在哪里？已经{n}天了。",
            "{product}到的时候坏了，可以退款吗？",
            "可以把{product}寄到{city}吗？",
            "{product}有{color}的吗？",
            "谢谢，{product}很漂亮！",
            "我的订单什么时候发货？{day}之前需要。",
            "物流单号{tracking}查不到。",
            "包裹卡在{city}海关了。",
            "可以把订单地址改成{city}吗？",
            "买{n}件有优惠吗？",
        ],
        "seller": [
            "{name}您好，谢谢您的留言，订单已于{day}发货。",
            "很抱歉{product}出了问题，今天给您补发。",
            "有的，{product}有{color}的。",
            "您的物流单号是{tracking}。",
            "已经退款，{n}天内到账。",
        ],
        "subject": ["订单问题", "寄到{city}", "{product}", "商品损坏", "订单状态"],
        "product": ["陶瓷杯", "琥珀项链", "丝巾", "羊毛毯", "皮钱包", "茶具", "银戒指", "亚麻连衣裙"],
        "color": ["红色", "藏青色", "橄榄绿", "芥末黄", "炭灰色", "酒红色"],
        "city": ["上海", "北京", "广州", "成都", "杭州", "深圳"],
        "names": ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄勇"],
        "days": ["周一", "周五", "春节", "周末", "月底"],
    },
    "bn": {
        "buyer": [
            "হ্যালো, আমার অর্ডার কোথায়? {n} দিন হয়ে গেছে।",
            "{product} ভাঙা অবস্থায় এসেছে, আমি কি টাকা ফেরত পেতে পারি?",
            "আপনি কি {city}-এ {product} পাঠাতে পারবেন?",
            "{product} কি {color} রঙে পাওয়া যায়?",
            "ধন্যবাদ, {product} খুব সুন্দর!",
            "আমার অর্ডার কবে পাঠানো হবে? {day} আগে দরকার।",
            "ট্র্যাকিং নম্বর {tracking} কাজ করছে না।",
            "আমার পার্সেল {city} কাস্টমসে আটকে আছে।",
            "{n}টি নিলে কি ছাড় পাওয়া যাবে?",
        ],
        "seller": [
            "নমস্কার {name}, আপনার বার্তার জন্য ধন্যবাদ। আপনার অর্ডার {day} পাঠানো হয়েছে।",
            "{product} নিয়ে আমরা দুঃখিত, আজই নতুন একটি পাঠাচ্ছি।",
            "হ্যাঁ, {product} {color} রঙে আছে।",
            "আপনার ট্র্যাকিং নম্বর {tracking}।",
            "টাকা ফেরত দেওয়া হয়েছে, {n} দিনের মধ্যে পৌঁছাবে।",
        ],
        "subject": ["অর্ডার নিয়ে প্রশ্ন", "{city}-এ ডেলিভারি", "{product}", "ক্ষতিগ্রস্ত পণ্য", "অর্ডারের অবস্থা"],
        "product": ["মাটির কাপ", "জামদানি শাড়ি", "নকশি কাঁথা", "পিতলের প্রদীপ", "চামড়ার ব্যাগ", "রুপার আংটি"],
        "color": ["লাল", "নীল", "সবুজ", "হলুদ", "সাদা", "কালো"],
        "city": ["ঢাকা", "কলকাতা", "চট্টগ্রাম", "সিলেট", "খুলনা", "রাজশাহী"],
        "names": ["রহিম", "ফাতেমা", "অনিক", "সুমাইয়া", "তানভীর", "নুসরাত", "রাকিব", "মিতু"],
        "days": ["সোমবারের", "শুক্রবারের", "ঈদের", "মাসের শেষের"],
    },
    "fa": {
        "buyer": [
            "سلام، سفارش من کجاست؟ {n} روز گذشته است.",
            "{product} شکسته رسید، می‌توانم پولم را پس بگیرم؟",
            "می‌توانید {product} را به {city} بفرستید؟",
            "آیا {product} به رنگ {color} دارید؟",
            "ممنون، {product} خیلی زیباست!",
            "سفارش من کی ارسال می‌شود؟ تا {day} لازم دارم.",
            "کد رهگیری {tracking} کار نمی‌کند.",
            "بسته من در گمرک {city} مانده است.",
            "برای خرید {n} عدد تخفیف دارید؟",
        ],
        "seller": [
            "سلام {name} عزیز، ممنون از پیام شما. سفارش شما {day} ارسال شد.",
            "بابت {product} متأسفیم، امروز یکی دیگر می‌فرستیم.",
            "بله، {product} به رنگ {color} موجود است.",
            "کد رهگیری شما {tracking} است.",
            "مبلغ برگشت داده شد و تا {n} روز دیگر می‌رسد.",
        ],
        "subject": ["سؤال درباره سفارش", "ارسال به {city}", "{product}", "کالای آسیب‌دیده", "وضعیت سفارش"],
        "product": ["لیوان سرامیکی", "گردنبند فیروزه", "روسری ابریشمی", "گلیم دستباف", "کیف چرمی", "ظرف مسی"],
        "color": ["قرمز", "آبی", "سبز", "زرد", "سفید", "مشکی"],
        "city": ["تهران", "اصفهان", "شیراز", "تبریز", "مشهد", "یزد"],
        "names": ["علی", "مریم", "رضا", "زهرا", "حسین", "فاطمه", "امیر", "سارا"],
        "days": ["شنبه", "چهارشنبه", "نوروز", "آخر هفته"],
    },
}


#: Vacation auto-replies, with the placeholders a vacation message may use.
VACATION = {
    "en": "Hello {buyer_name|}, we are away until {vacation_return_date} and answer as soon as we are back. "
          "{shop_name}",
    "ru": "Здравствуйте, {buyer_name|}! Мы в отпуске до {vacation_return_date} и ответим, как только вернёмся. "
          "{shop_name}",
    "pl": "Dzień dobry {buyer_name|}, jesteśmy na urlopie do {vacation_return_date} i odpowiemy po powrocie. "
          "{shop_name}",
    "zh": "{buyer_name|}您好，我们休假到{vacation_return_date}，回来后会尽快回复。{shop_name}",
    "bn": "নমস্কার {buyer_name|}, আমরা {vacation_return_date} পর্যন্ত ছুটিতে আছি, ফিরে এসে উত্তর দেব। {shop_name}",
    "fa": "سلام {buyer_name|}، ما تا {vacation_return_date} در مرخصی هستیم و پس از بازگشت پاسخ می‌دهیم. {shop_name}",
}


def saved_reply_body(language, number):
    """A saved reply: a seller sentence with the buyer's name, the tracking number and the shop as placeholders."""
    words = VOCABULARY[language]

    def pick(kind):
        return words[kind][number % len(words[kind])]

    return pick("seller").format(name="{buyer_name|}", tracking="{tracking_number|—}", product=pick("product"),
                                 color=pick("color"), city=pick("city"), day=pick("days"),
                                 n=3 + number % 9) + " {shop_name}"


class Writer:
    """Messages for one language from a shared random generator; the same seed writes the same words."""

    def __init__(self, rng):
        self.rng = rng

    def _fill(self, template, words, name=""):
        rng = self.rng
        # Rare words: a tracking code and a number differ in almost every message, as in real mail.
        return template.format(
            n=rng.randint(2, 30), product=rng.choice(words["product"]), color=rng.choice(words["color"]),
            city=rng.choice(words["city"]), day=rng.choice(words["days"]), name=name or rng.choice(words["names"]),
            tracking=f"RR{rng.randrange(10**8, 10**9)}CN")

    def buyer_message(self, language):
        words = VOCABULARY[language]
        body = self._fill(self.rng.choice(words["buyer"]), words)
        if self.rng.random() < 0.3:
            body += " " + self._fill(self.rng.choice(words["buyer"]), words)
        return body

    def seller_message(self, language, buyer_name):
        words = VOCABULARY[language]
        return self._fill(self.rng.choice(words["seller"]), words, buyer_name)

    def subject(self, language):
        words = VOCABULARY[language]
        return self._fill(self.rng.choice(words["subject"]), words) if self.rng.random() < 0.7 else ""

    def buyer_name(self, language):
        return self.rng.choice(VOCABULARY[language]["names"])
