"""Root fixtures shared by every app's tests."""
