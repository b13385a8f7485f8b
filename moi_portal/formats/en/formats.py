# Day before month and a 24-hour clock, as dates are written in Qatar.
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 0  # Sunday, the first working day
# Amounts in Western digits with a comma between thousands and a point before
# halalas, in both languages, as receipts in Qatar write them (and as
# residency.payments.qar does); templates group with floatformat's "g".
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
