"""Demo data: one shop per platform with living conversations in the six languages, made through the real paths."""
import io
import secrets
import struct
import zlib
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from sellerkit import inbox
from sellerkit.accounts import services as accounts
from sellerkit.accounts.models import User
from sellerkit.consent import services as consent
from sellerkit.coupons import services as coupons
from sellerkit.extensions import db
from sellerkit.followups import services as followups
from sellerkit.followups.models import Campaign
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops import services as shops
from sellerkit.shops.models import Membership, Shop
from sellerkit.threads import services as threads
from sellerkit.threads.domain import Inbound
from sellerkit.tickets import services as tickets

DEMO_EMAIL = "demo@sellerkit.local"

#: (platform, shop name, default language, timezone, currency)
SHOPS = (
    ("etsy", "Amber & Oak Studio", "pl", "Europe/Warsaw", "PLN"),
    ("ozon", "Лавка Мастера", "ru", "Europe/Moscow", "RUB"),
    ("digikala", "کاشی‌های تهران", "fa", "Asia/Tehran", "IRR"),
    ("wildberries", "Уютный Дом", "ru", "Europe/Moscow", "RUB"),
    ("amazon", "Lotus Tea House", "en", "America/New_York", "USD"),
    ("ebay", "Retro Radio Parts", "en", "Europe/London", "GBP"),
    ("other", "নকশিকাঁথা ঘর", "bn", "Asia/Dhaka", "BDT"),
)

#: Per platform: (buyer name, language, order total, subject, [buyer messages], seller reply or None, is dispute)
CONVERSATIONS = {
    "etsy": [
        ("Zofia Nowak", "pl", "89.00", "Bursztynowe kolczyki",
         ["Dzień dobry! Kiedy wyślecie moje kolczyki?", "Potrzebuję ich na sobotę, czy zdążycie?"], None, False),
        ("Emily Carter", "en", "42.50", "Wrong size",
         ["Hi! The ring arrived but it's a size too small. Can I exchange it?"],
         "So sorry! Yes, send it back and I'll make a new one in size 7 right away.", False),
        ("Wei Zhang", "zh", "120.00", "包裹破损",
         ["你好，我收到的包裹破损了，里面的花瓶碎了。", "我附上了照片，请问可以退款吗？"],
         None, True),
    ],
    "ozon": [
        ("Ольга Иванова", "ru", "2490.00", "Где мой заказ?",
         ["Здравствуйте! Заказ уже неделю в пути, трек не обновляется."],
         None, False),
        ("Дмитрий Соколов", "ru", "990.00", "Брак", ["Пришла кружка с трещиной. Хочу вернуть деньги.",
                                                    "Фото приложил. Ответьте, пожалуйста."], None, True),
    ],
    "digikala": [
        ("مریم احمدی", "fa", "1250000", "سفارش دیرکرد", ["سلام، سفارش من هنوز نرسیده است. لطفا پیگیری کنید."],
         None, False),
        ("علی رضایی", "fa", "480000", "کاشی شکسته", ["دو عدد از کاشی‌ها شکسته رسید. چطور می‌توانم مرجوع کنم؟"],
         "سلام، عذرخواهی می‌کنیم. لطفا عکس کاشی‌ها را بفرستید تا جایگزین ارسال کنیم.", True),
    ],
    "wildberries": [
        ("Анна Петрова", "ru", "1590.00", "Размер пледа", ["Подскажите, какой размер у пледа? В описании не указано."],
         "Здравствуйте! Плед 150×200 см. Отправим сегодня.", False),
    ],
    "amazon": [
        ("Michael Brown", "en", "34.99", "Late delivery", ["My order was supposed to arrive yesterday. Any update?"],
         None, False),
        ("李娜", "zh", "58.00", "茶叶口味", ["请问这款乌龙茶是什么口味？适合送礼吗？"], None, False),
    ],
    "ebay": [
        ("James Wilson", "en", "15.00", "Tube compatibility", ["Will this valve fit a 1962 Grundig receiver?"],
         "Yes, it's a direct replacement for that model.", False),
    ],
    "other": [
        ("রহিম উদ্দিন", "bn", "3500", "নকশিকাঁথার রং", ["আমার অর্ডার এখনও আসেনি, দয়া করে দেখুন।",
                                                  "কাঁথাটা কি নীল রঙে পাওয়া যাবে?"], None, False),
        ("Fatema Begum", "bn", "2200", "উপহার মোড়ক", ["উপহার হিসেবে মোড়ক করে পাঠাতে পারবেন?"], None, False),
    ],
}


def _photo():
    """A small red PNG, standing in for a buyer's photo of a broken item."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xc0\x30\x30" * 64 for _ in range(48))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 48, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _owner(email, now, min_password_length):
    """The demo owner: the given user, else the demo user (created with a printed password when missing)."""
    user = db.session.scalar(select(User).where(User.email == (email or DEMO_EMAIL).lower()))
    if user is not None:
        return user, None
    if email:
        raise LookupError(email)
    password = secrets.token_urlsafe(12)
    return accounts.sign_up(DEMO_EMAIL, password, "Demo Seller", None, now, min_password_length), password


def _shop(owner, platform, name, language, timezone, now):
    existing = db.session.scalar(select(Shop).join(Membership).where(Membership.user_id == owner.id,
                                                                     Shop.name == name))
    return existing or shops.create_shop(owner, name, platform, language, timezone, now)


#: The demo campaign's message in each shop's language.
THANKS = {
    "en": "{buyer_name|Hello}, thank you for order {order_reference}! Your code {coupon_code} gives 10% off until "
          "{coupon_expiry}.",
    "pl": "{buyer_name|Dzień dobry}, dziękujemy za zamówienie {order_reference}! Kod {coupon_code} daje 10% rabatu "
          "do {coupon_expiry}.",
    "ru": "{buyer_name|Здравствуйте}, спасибо за заказ {order_reference}! Промокод {coupon_code} даёт скидку 10% "
          "до {coupon_expiry}.",
    "fa": "{buyer_name|سلام}، از خرید شما ({order_reference}) سپاسگزاریم! کد {coupon_code} تا {coupon_expiry} "
          "۱۰٪ تخفیف دارد.",
    "bn": "{buyer_name|নমস্কার}, অর্ডার {order_reference}-এর জন্য ধন্যবাদ! {coupon_code} কোডে {coupon_expiry} পর্যন্ত "
          "১০% ছাড়।",
}


def _ticket(shop, thread, owner, now):
    """The dispute escalated to the platform's support: filed, and support asking for details."""
    ticket = tickets.escalate(shop, thread, now - timedelta(hours=3), owner)
    tickets.file(ticket, owner, now - timedelta(hours=2), platform_ref=f"{shop.platform[:2].upper()}-77{ticket.id}")
    tickets.record_support_reply(ticket, "Please send a photo of the parcel's label.", "awaiting_details",
                                 now - timedelta(hours=1), owner)


def _marketing(shop, owner, now, currency):
    """Past customers who agreed to hear from the shop, a pool of thank-you codes and a campaign ready to switch on."""
    membership = db.session.scalar(select(Membership).where(Membership.shop_id == shop.id,
                                                            Membership.user_id == owner.id))
    if db.session.scalar(select(Campaign.id).where(Campaign.shop_id == shop.id)):
        return
    for number in range(3):
        received = inbox.receive_buyer_message(shop, Inbound(
            external_id=f"demo-{shop.platform}-past-{number}", body="Thank you, it arrived!",
            received_at=now - timedelta(days=20 + number), buyer_external_id=f"demo-{shop.platform}-past-{number}",
            buyer_name=f"Customer {number + 1}", buyer_language=shop.default_language,
            order_reference=f"{shop.platform[:2].upper()}-{900 + number}",
            order={"placed_at": now - timedelta(days=30 + number), "delivered_at": now - timedelta(days=21 + number)}),
            now)
        if number < 2:
            consent.record(received.thread.buyer, "given", "order_checkbox", "Send me offers and coupons.",
                           now - timedelta(days=30 + number), now)
    coupons.generate_pool(membership, "THANKS", 20, "percent", Decimal("10"), None, valid_from=None,
                          valid_until=now + timedelta(days=60),
                          min_order=None, now=now)
    followups.save_campaign(membership, None, {
        "name": "Thank you + 10%", "trigger": "after_delivery", "days": 14, "min_days_between": 30,
        "coupon_mode": "pool", "coupon_pool": "THANKS"},
        {shop.default_language: THANKS[shop.default_language]}, now)


def create_demo_data(now, email=None, min_password_length=10):
    """Make (or complete) the demo shops; running it again adds nothing. Returns (owner, new password or None)."""
    owner, password = _owner(email, now, min_password_length)
    for platform, name, language, timezone, currency in SHOPS:
        shop = _shop(owner, platform, name, language, timezone, now)
        for number, (buyer, lang, total, subject, texts, reply, is_dispute) in enumerate(CONVERSATIONS[platform]):
            started = now - timedelta(hours=30 - 7 * number)
            received = None
            for index, text in enumerate(texts):
                files = [("broken.png", io.BytesIO(_photo()))] if is_dispute and index == len(texts) - 1 else ()
                received = inbox.receive_buyer_message(shop, Inbound(
                    external_id=f"demo-{platform}-{number}-{index}", body=text,
                    received_at=started + timedelta(minutes=40 * index), buyer_external_id=f"demo-{platform}-{number}",
                    buyer_name=buyer, buyer_language=lang, thread_external_id=f"demo-{platform}-{number}",
                    subject=subject, order_reference=f"{platform[:2].upper()}-{1000 + number}",
                    order={"placed_at": started - timedelta(days=6), "shipped_at": started - timedelta(days=4),
                           "tracking_number": f"RR{48210 + number}PL", "total": Decimal(total), "currency": currency,
                           "items_summary": subject}), now, files=files)
            if not received.is_new:
                continue
            thread = received.thread
            if reply:
                # Copied to the platform and marked sent at once, as a seller who answers by hand does.
                message = inbox.send_reply(shop, thread, owner, reply, started + timedelta(hours=2))
                db.session.flush()
                inbox.mark_reply_sent(db.session.scalar(select(OutboxItem).where(OutboxItem.message_id == message.id)),
                                      started + timedelta(hours=2))
            if is_dispute:
                threads.update_thread(thread, owner, now, is_dispute=True, labels=["refund"])
                threads.add_note(thread, owner, "Photo received. Offer a replacement before a refund.", now)
                _ticket(shop, thread, owner, now)
        _marketing(shop, owner, now, currency)
    db.session.commit()
    return owner, password
