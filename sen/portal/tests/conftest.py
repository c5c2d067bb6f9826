"""The English test needs a compiled catalogue: `make` builds it; running pytest alone builds it here,
before any request loads the catalogues (compile_all skips an up-to-date .mo)."""

from sen.core.i18n_compile import compile_all

compile_all()
