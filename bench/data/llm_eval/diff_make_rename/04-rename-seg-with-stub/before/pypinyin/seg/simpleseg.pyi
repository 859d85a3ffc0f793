# -*- coding: utf-8 -*-
from typing import List, Text


def seg(hans: Text) -> List[Text]: ...


def simple_seg(hans: Text) -> List[Text]: ...


def _seg(chars: Text) -> List[Text]: ...
