"""The demo history's constants: the slow offices and units, the weights, and the citizens' names."""

from __future__ import annotations

from postal_hub.intake.status import Channel, DossierStatus, ResultDelivery

HISTORY_ACTION = "demo.history_seeded"
DEFAULT_COUNT = 600
# The ones the dashboards' rankings should single out: two offices with long queues, paper-only dossiers,
# late carriage and unhappy citizens, and a unit slow over its statutory time.
SLOW_OFFICES = frozenset({"122000", "736000"})
SLOW_UNITS = frozenset({"000.01.22.H26"})
PROCEDURE_WEIGHTS = {"2.000815": 6, "1.001193": 4, "2.000635": 3, "1.004873": 3, "1.013831": 3}
CHANNELS = ((Channel.COUNTER, 70), (Channel.PICKUP, 20), (Channel.API, 10))
RESULT_CHOICES = {
    Channel.COUNTER: (
        (ResultDelivery.HOME, 35),
        (ResultDelivery.POST_OFFICE, 40),
        (ResultDelivery.COUNTER, 25),
    ),
    Channel.PICKUP: ((ResultDelivery.HOME, 80), (ResultDelivery.POST_OFFICE, 20)),
    Channel.API: ((ResultDelivery.HOME, 45), (ResultDelivery.POST_OFFICE, 30), (ResultDelivery.COUNTER, 25)),
}
# The status a timeline event leaves the dossier in (None: the event changes no status).
STATUS_AFTER: dict[str, DossierStatus | None] = {
    "accepted": DossierStatus.ACCEPTED,
    "digitized": DossierStatus.DIGITIZED,
    "dispatched": DossierStatus.DISPATCHED,
    "rejected": DossierStatus.REJECTED,
    "resubmitted": DossierStatus.ACCEPTED,
    "received": DossierStatus.RECEIVED,
    "result_ready": DossierStatus.RESULT_READY,
    "result_collected": DossierStatus.RESULT_COLLECTED,
    "at_office": None,
    "out_for_delivery": DossierStatus.OUT_FOR_DELIVERY,
    "delivered": DossierStatus.DELIVERED,
}
AT_UNIT = frozenset({"rejected", "received", "result_ready", "result_collected"})

# Nguyễn is the family name of nearly four Vietnamese in ten.
FAMILY: tuple[str, ...] = ("Nguyễn",) * 8 + ("Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ")
FAMILY += ("Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Đinh")
MIDDLE = (("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công"), ("Thị", "Ngọc", "Thu", "Thanh", "Hồng"))
GIVEN = (
    ("An", "Bảo", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn"),
    ("Anh", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Thảo", "Trang"),
)
STREETS = {
    "01": ("Hàng Bông", "Kim Mã", "Láng Hạ", "Trần Duy Hưng", "Nguyễn Trãi", "Xuân Thủy", "Cầu Giấy"),
    "79": ("Lê Lợi", "Điện Biên Phủ", "Xô Viết Nghệ Tĩnh", "Cách Mạng Tháng Tám", "Phan Đăng Lưu"),
    "48": ("Nguyễn Văn Linh", "Hùng Vương", "Lê Duẩn", "Điện Biên Phủ", "Hàm Nghi"),
    "46": ("Lê Lợi", "Hùng Vương", "Trần Hưng Đạo", "Nguyễn Huệ", "Bà Triệu"),
}
# Mobile prefixes by network: Viettel, Vinaphone, MobiFone.
MOBILE: tuple[str, ...] = ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038")
MOBILE += ("039", "088", "091", "094", "081", "082", "083", "084", "085", "089", "090", "093", "070", "079")
