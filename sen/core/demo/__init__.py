"""The demo province: Đồng Tháp after the 2025 reform, built from the real data in
settings.SEN_SHARED_DATA_DIR (see data.py for the files, codes.py for the agency codes, build.py for
what is created). `python manage.py demo` calls `build.build_demo()`."""
