"""bx24presence: see which of your Bitrix24 colleagues are available right now."""

__version__ = "0.1.0"
APP_NAME = "bx24presence"
