"""Demo data of the catalogue (`jineng loaddemo`): the 2022 occupations, the seed documents'
figures and programmes, and labelled sample figures where the seeds give none."""

from jineng.catalog import presets


def load(*, actor, stdout=None) -> None:
    counts = presets.load()
    if stdout is not None:
        stdout.write(
            "目录与政策：新增职业 {occupations} 条、政策版本 {versions} 个、"
            "计划/工程 {programmes} 个、示例数据 {samples} 项".format(**counts)
        )
