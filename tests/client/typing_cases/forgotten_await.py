"""An AsyncXBSClient call used without ``await``: mypy --strict must refuse it."""

from xbsec.client.xbs import AsyncXBSClient


async def status(xbs: AsyncXBSClient) -> str:
    payment = xbs.retrieve_payment("pay_1")  # the await is missing
    return payment["status"]
