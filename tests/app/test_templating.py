"""Values shown to people: lists read as words, codes through the process's own labels."""
from types import SimpleNamespace

from app.templating import field_value, value_label


def test_lists_read_as_their_items_words(app):
    loaded = SimpleNamespace(properties={'labels.id_card': '身份证', 'labels.bank_card': '银行卡'})
    with app.test_request_context('/'):
        assert value_label(loaded, ['id_card', 'bank_card']) == '身份证、银行卡'
        assert value_label(loaded, 'unknown_code') == 'unknown_code'
        assert field_value({'type': 'array', 'items': {'type': 'string'}}, ['甲', '乙']) == '甲、乙'
        assert field_value({'type': 'number', 'x-unit': 'yuan'}, 1234.5) == '1,234.50 元'
