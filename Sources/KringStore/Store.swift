import KringCore
