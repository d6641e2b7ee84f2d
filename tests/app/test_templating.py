"""Values shown to people: lists read as words, codes through the process's own labels."""
from types import SimpleNamespace

from app.templating import field_value, value_label


def test_lists_read_as_their_items_words(app):
    loaded = SimpleNamespace(properties={'labels.id_card': '身份证', 'labels.bank_card': '银行卡'},
                             start_form={}, forms={})
    with app.test_request_context('/'):
        assert value_label(loaded, ['id_card', 'bank_card']) == '身份证、银行卡'
        assert value_label(loaded, 'unknown_code') == 'unknown_code'
        assert field_value({'type': 'array', 'items': {'type': 'string'}}, ['甲', '乙']) == '甲、乙'
        assert field_value({'type': 'number', 'x-unit': 'yuan'}, 1234.5) == '1,234.50 元'


def test_a_code_without_a_label_reads_as_the_option_a_form_offers(app):
    """A rule's list of material codes reads as the checklist's words; the process label still wins."""
    checklist = {'type': 'array', 'items': {'enum': ['id_card', 'household_register'],
                                            'x-enumNames': ['身份证', '户口簿'],
                                            'x-enumNames-en': ['ID card', 'Household register']}}
    loaded = SimpleNamespace(properties={'labels.id_card': '居民身份证'},
                             start_form={'properties': {'materials': checklist}}, forms={})
    with app.test_request_context('/'):
        assert value_label(loaded, ['id_card', 'household_register', 'other']) == '居民身份证、户口簿、other'
    with app.test_request_context('/?lang=en'):
        assert value_label(loaded, 'household_register') == 'Household register'
