"""Dispute rules become phrase rules that name a problem; shops keep only their own phrases and switches

A shop used to get a copy of every default keyword the first time it edited its rules, so better defaults never
reached it. Now the defaults live in the code and a shop stores only its own phrases and the defaults it switched
off or on. This removes the stored copies of the old defaults that were still on (the new defaults take their place)
and keeps the ones a shop switched off, so that choice stays visible. The old rules found a keyword with letters
outside ASCII anywhere inside words; phrases now match whole words, so such a keyword of the shop's own gets a
trailing * (any ending), which keeps it finding what it found.

Revision ID: b3d5f0a1c8e2
Revises: f1a2b3c4d5e6
Created: 2026-12-07 20:30:00.000000
"""
import re

import sqlalchemy as sa
from alembic import op

revision = 'b3d5f0a1c8e2'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None

#: The default keywords every shop was given before this revision, as it stored them.
OLD_DEFAULTS = {
    "bn": ("অভিযোগ", "এখনও আসেনি", "কেস", "ক্ষতিগ্রস্ত", "চার্জব্যাক", "টাকা ফেরত", "নষ্ট", "পাইনি", "পৌঁছায়নি", "ভাঙা",
           "রিফান্ড"),
    "en": ("broken", "case", "chargeback", "cracked", "damaged", "did not arrive", "didn't arrive",
           "dispute with my bank", "hasn't arrived", "money back", "never arrived", "not received", "open a case",
           "refund"),
    "fa": ("آسیب دیده", "استرداد وجه", "بازپرداخت", "به دستم نرسید", "خراب", "دریافت نکردم", "شکایت", "شکایت به بانک",
           "شکسته", "نرسیده", "پرونده", "پول را برگردانید", "چارج بک"),
    "pl": ("chargeback", "nie doszła", "nie dotarła", "nie dotarło", "nie otrzymałam", "nie otrzymałem",
           "obciążenie zwrotne", "otworzę spór", "pęknięt", "spór", "uszkodzon", "zepsut", "zwrot", "zwrot pieniędzy"),
    "ru": ("брак", "верните деньги", "вернуть деньги", "возврат", "не получил", "не получила", "не пришел",
           "не пришла", "не пришло", "не пришёл", "оспорю платеж", "открою спор", "поврежд", "разбит", "сломан", "спор",
           "трещин", "чарджбэк"),
    "zh": ("坏了", "投诉", "拒付", "损坏", "未收到", "没收到", "破损", "纠纷", "还没到", "退款", "退钱", "银行争议"),
}
MAX_KEYWORD = 80
# Chinese is still found anywhere; every other script's keyword now needs the wildcard to keep finding word parts.
_CHINESE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

rules = sa.table("dispute_rules", sa.column("id", sa.Integer), sa.column("shop_id", sa.Integer),
                 sa.column("kind", sa.String),
                 sa.column("language", sa.String), sa.column("keyword", sa.String),
                 sa.column("enabled", sa.Boolean))


def upgrade():
    with op.batch_alter_table("dispute_rules") as batch:
        batch.add_column(sa.Column("problem", sa.String(length=30), nullable=True))
    bind = op.get_bind()
    stored = bind.execute(sa.select(rules.c.id, rules.c.shop_id, rules.c.language, rules.c.keyword, rules.c.enabled)
                          .where(rules.c.kind == "keyword")).all()
    taken = {(shop_id, language, keyword) for _id, shop_id, language, keyword, _enabled in stored}
    for rule_id, shop_id, language, keyword, enabled in stored:
        if keyword in OLD_DEFAULTS.get(language, ()):
            if enabled:
                bind.execute(sa.delete(rules).where(rules.c.id == rule_id))
        elif (not keyword.isascii() and not _CHINESE.search(keyword) and len(keyword) < MAX_KEYWORD
              and not keyword.endswith("*") and (shop_id, language, keyword + "*") not in taken):
            bind.execute(sa.update(rules).where(rules.c.id == rule_id).values(keyword=keyword + "*"))


def downgrade():
    # The rows stay as they are: the removed copies of old defaults are not brought back, so a shop with stored
    # rules then has only those.
    with op.batch_alter_table("dispute_rules") as batch:
        batch.drop_column("problem")
