"""Reference data: China's 31 provinces, Guizhou's prefectures and the leading industries.

Prefecture codes are the national administrative-division codes (GB/T 2260). 贵安新区 is a
state-level new area, not an administrative division: 520900 is a platform-assigned code.
Industry codes match the chain templates' codes (data/chains.yaml in the scoring issue).
"""

from django.db import migrations

PROVINCES = [
    ("110000", "北京市"),
    ("120000", "天津市"),
    ("130000", "河北省"),
    ("140000", "山西省"),
    ("150000", "内蒙古自治区"),
    ("210000", "辽宁省"),
    ("220000", "吉林省"),
    ("230000", "黑龙江省"),
    ("310000", "上海市"),
    ("320000", "江苏省"),
    ("330000", "浙江省"),
    ("340000", "安徽省"),
    ("350000", "福建省"),
    ("360000", "江西省"),
    ("370000", "山东省"),
    ("410000", "河南省"),
    ("420000", "湖北省"),
    ("430000", "湖南省"),
    ("440000", "广东省"),
    ("450000", "广西壮族自治区"),
    ("460000", "海南省"),
    ("500000", "重庆市"),
    ("510000", "四川省"),
    ("520000", "贵州省"),
    ("530000", "云南省"),
    ("540000", "西藏自治区"),
    ("610000", "陕西省"),
    ("620000", "甘肃省"),
    ("630000", "青海省"),
    ("640000", "宁夏回族自治区"),
    ("650000", "新疆维吾尔自治区"),
]

GUIZHOU_PREFECTURES = [
    ("520100", "贵阳市"),
    ("520200", "六盘水市"),
    ("520300", "遵义市"),
    ("520400", "安顺市"),
    ("520500", "毕节市"),
    ("520600", "铜仁市"),
    ("522300", "黔西南州"),
    ("522600", "黔东南州"),
    ("522700", "黔南州"),
    ("520900", "贵安新区"),
]

INDUSTRIES = [
    ("jiangxiang_baijiu", "酱香白酒"),
    ("phosphorus_chemical", "磷化工"),
    ("new_energy_battery", "新能源电池及材料"),
    ("aluminium", "铝及铝加工"),
    ("coal_chemical", "现代煤化工"),
    ("electronics_manufacturing", "电子信息制造"),
    ("computing_datacenter", "数据中心与算力"),
    ("aerospace_equipment", "航空航天装备"),
    ("tcm_health", "中药材及健康医药"),
    ("chili_food", "生态特色食品"),
    ("building_materials", "新型建材"),
    ("equipment_manufacturing", "先进装备制造"),
    ("basic_energy", "基础能源"),
    ("clean_power", "清洁高效电力"),
    ("tobacco_liquor", "优质烟酒"),
    ("modern_logistics", "现代物流"),
]


def load(apps, schema_editor):
    Province = apps.get_model("zones", "Province")
    Prefecture = apps.get_model("zones", "Prefecture")
    Industry = apps.get_model("zones", "Industry")
    for code, name in PROVINCES:
        Province.objects.get_or_create(code=code, defaults={"name": name})
    guizhou = Province.objects.get(code="520000")
    for code, name in GUIZHOU_PREFECTURES:
        Prefecture.objects.get_or_create(code=code, defaults={"name": name, "province": guizhou})
    for code, name in INDUSTRIES:
        Industry.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("zones", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
