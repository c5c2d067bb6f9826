"""The six roles Sen knows. Whether a grant also covers the units below is data (inherits_down):

- leader, unit_admin, province_admin inherit down: the head of a department leads its rooms; an
  admin of a unit administers what is under it; a province admin the whole province.
- one_stop_officer, specialist, clerk do not: they work the desk, the files and the register of
  the unit they are posted to, not of every unit below it.
"""

from django.db import migrations

ROLES = [
    ("one_stop_officer", "Cán bộ một cửa", "One-stop officer", False),
    ("specialist", "Chuyên viên", "Specialist", False),
    ("leader", "Lãnh đạo", "Leader", True),
    ("clerk", "Văn thư", "Clerk", False),
    ("unit_admin", "Quản trị đơn vị", "Unit administrator", True),
    ("province_admin", "Quản trị cấp tỉnh", "Province administrator", True),
]


def seed_roles(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    for code, name, name_en, inherits_down in ROLES:
        Role.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "inherits_down": inherits_down}
        )


class Migration(migrations.Migration):
    dependencies = [("identity", "0001_initial")]

    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
