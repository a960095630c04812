"""Static pools the synthetic ecosystem is drawn from: places, names, companies, domains, framework profiles.

Everything here is invented or generic; no real person is described. Places carry the truth a geolocator
should recover (ISO 3166-1 country, ISO 3166-2 region, city) together with the ways people write them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Place:
    """A city with the ways people write it; `region` is ISO 3166-2."""

    country: str
    region: str | None
    city: str | None
    offset: int  # standard UTC offset in minutes
    dst: str = ""  # "north" or "south" when the place moves its clocks
    spellings: tuple[str, ...] = ()  # city-level renderings
    weight: float = 1.0


@dataclass(frozen=True)
class Province:
    code: str
    english: str
    chinese: str
    camel: str = ""  # "GuangDong", as people type pinyin


PROVINCES: dict[str, Province] = {p.code: p for p in [
    Province("CN-BJ", "Beijing", "北京"),
    Province("CN-SH", "Shanghai", "上海"),
    Province("CN-TJ", "Tianjin", "天津"),
    Province("CN-CQ", "Chongqing", "重庆"),
    Province("CN-GD", "Guangdong", "广东", "GuangDong"),
    Province("CN-ZJ", "Zhejiang", "浙江", "ZheJiang"),
    Province("CN-JS", "Jiangsu", "江苏", "JiangSu"),
    Province("CN-SC", "Sichuan", "四川", "SiChuan"),
    Province("CN-HB", "Hubei", "湖北", "HuBei"),
    Province("CN-SN", "Shaanxi", "陕西", "ShaanXi"),
    Province("CN-AH", "Anhui", "安徽", "AnHui"),
    Province("CN-HN", "Hunan", "湖南", "HuNan"),
    Province("CN-FJ", "Fujian", "福建", "FuJian"),
    Province("CN-HL", "Heilongjiang", "黑龙江", "HeiLongJiang"),
    Province("CN-SD", "Shandong", "山东", "ShanDong"),
    Province("CN-LN", "Liaoning", "辽宁", "LiaoNing"),
    Province("CN-HA", "Henan", "河南", "HeNan"),
    Province("CN-YN", "Yunnan", "云南", "YunNan"),
]}
MUNICIPALITIES = {"CN-BJ", "CN-SH", "CN-TJ", "CN-CQ"}


@dataclass(frozen=True)
class ChineseCity:
    city: str  # English
    region: str
    chinese: str  # without 市
    weight: float
    districts: tuple[str, ...] = ()
    camel: str = ""  # "BeiJing"
    landmarks: tuple[str, ...] = ()  # universities/parks people give as their location


CN_CITIES: tuple[ChineseCity, ...] = (
    ChineseCity("Beijing", "CN-BJ", "北京", 30, ("海淀区", "朝阳区", "昌平区"), "BeiJing",
                ("Tsinghua University", "Peking University", "Zhongguancun, Beijing")),
    ChineseCity("Shanghai", "CN-SH", "上海", 17, ("浦东新区", "闵行区", "徐汇区"), "ShangHai",
                ("Fudan University, Shanghai", "Shanghai Jiao Tong University")),
    ChineseCity("Shenzhen", "CN-GD", "深圳", 12, ("南山区", "福田区", "龙岗区"), "ShenZhen",
                ("Nanshan, Shenzhen",)),
    ChineseCity("Hangzhou", "CN-ZJ", "杭州", 10, ("西湖区", "余杭区", "滨江区"), "HangZhou",
                ("Zhejiang University, Hangzhou",)),
    ChineseCity("Guangzhou", "CN-GD", "广州", 4, ("天河区", "番禺区"), "GuangZhou"),
    ChineseCity("Nanjing", "CN-JS", "南京", 4, ("鼓楼区", "江宁区"), "NanJing", ("Nanjing University",)),
    ChineseCity("Suzhou", "CN-JS", "苏州", 2, ("工业园区",), "SuZhou"),
    ChineseCity("Chengdu", "CN-SC", "成都", 3, ("高新区", "武侯区"), "ChengDu"),
    ChineseCity("Wuhan", "CN-HB", "武汉", 3, ("洪山区",), "WuHan", ("Huazhong University of Science and Technology",)),
    ChineseCity("Xi'an", "CN-SN", "西安", 2, ("雁塔区",), "XiAn"),
    ChineseCity("Hefei", "CN-AH", "合肥", 2, ("蜀山区",), "HeFei", ("USTC, Hefei",)),
    ChineseCity("Tianjin", "CN-TJ", "天津", 1.5, ("南开区",), "TianJin"),
    ChineseCity("Chongqing", "CN-CQ", "重庆", 1, ("渝北区",), "ChongQing"),
    ChineseCity("Changsha", "CN-HN", "长沙", 1, ("岳麓区",), "ChangSha"),
    ChineseCity("Xiamen", "CN-FJ", "厦门", 1, ("思明区",), "XiaMen"),
    ChineseCity("Harbin", "CN-HL", "哈尔滨", 0.7, ("南岗区",), "HarBin"),
    ChineseCity("Jinan", "CN-SD", "济南", 0.7, ("历下区",), "JiNan"),
    ChineseCity("Qingdao", "CN-SD", "青岛", 0.7, ("崂山区",), "QingDao"),
    ChineseCity("Dalian", "CN-LN", "大连", 0.7, ("甘井子区",), "DaLian"),
    ChineseCity("Shenyang", "CN-LN", "沈阳", 0.5, ("浑南区",), "ShenYang"),
    ChineseCity("Zhengzhou", "CN-HA", "郑州", 0.7, ("金水区",), "ZhengZhou"),
    ChineseCity("Kunming", "CN-YN", "昆明", 0.4, ("五华区",), "KunMing"),
)

# Places outside mainland China, with city-level spellings; weights are relative within a country.
FOREIGN: dict[str, tuple[Place, ...]] = {
    "US": (
        Place("US", "US-CA", "San Francisco", -480, "north", ("San Francisco", "San Francisco, CA", "SF Bay Area, San Francisco", "san francisco, california"), 3),
        Place("US", "US-CA", "Mountain View", -480, "north", ("Mountain View, CA", "Mountain View, California, USA"), 1.5),
        Place("US", "US-WA", "Seattle", -480, "north", ("Seattle", "Seattle, WA", "Seattle, Washington, USA"), 2),
        Place("US", "US-NY", "New York", -300, "north", ("New York", "New York, NY", "NYC, New York"), 2),
        Place("US", "US-MA", "Boston", -300, "north", ("Boston, MA", "Cambridge, Boston, MA"), 1),
        Place("US", "US-PA", "Pittsburgh", -300, "north", ("Pittsburgh, PA",), 0.7),
        Place("US", "US-TX", "Austin", -360, "north", ("Austin, TX", "Austin, Texas"), 0.8),
    ),
    "DE": (
        Place("DE", "DE-BE", "Berlin", 60, "north", ("Berlin", "Berlin, Germany"), 2),
        Place("DE", "DE-BY", "Munich", 60, "north", ("Munich, Germany", "München", "München, Deutschland"), 1.5),
    ),
    "IN": (
        Place("IN", "IN-KA", "Bengaluru", 330, "", ("Bangalore", "Bengaluru, India", "Bangalore, Karnataka"), 3),
        Place("IN", "IN-MH", "Mumbai", 330, "", ("Mumbai", "Mumbai, India"), 1.5),
        Place("IN", "IN-DL", "New Delhi", 330, "", ("New Delhi, India", "Delhi, India"), 1.5),
    ),
    "JP": (
        Place("JP", "JP-13", "Tokyo", 540, "", ("Tokyo", "Tokyo, Japan", "東京"), 3),
        Place("JP", "JP-27", "Osaka", 540, "", ("Osaka, Japan",), 1),
    ),
    "KR": (Place("KR", "KR-11", "Seoul", 540, "", ("Seoul", "Seoul, Korea", "Seoul, South Korea"), 1),),
    "SG": (Place("SG", None, "Singapore", 480, "", ("Singapore", "Singapore, Singapore"), 1),),
    "MY": (Place("MY", "MY-14", "Kuala Lumpur", 480, "", ("Kuala Lumpur, Malaysia", "Kuala Lumpur"), 1),),
    "PH": (Place("PH", "PH-00", "Manila", 480, "", ("Manila, Philippines", "Metro Manila"), 1),),
    "TW": (
        Place("TW", "TW-TPE", "Taipei", 480, "", ("Taipei, Taiwan", "Taipei", "台北"), 2),
        Place("TW", "TW-HSZ", "Hsinchu", 480, "", ("Hsinchu, Taiwan", "新竹市"), 1),
    ),
    "HK": (Place("HK", None, "Hong Kong", 480, "", ("Hong Kong", "Hong Kong SAR", "香港", "Kowloon, Hong Kong"), 1),),
    "AU": (
        Place("AU", "AU-WA", "Perth", 480, "", ("Perth, Western Australia", "Perth, WA, Australia"), 1),
        Place("AU", "AU-NSW", "Sydney", 600, "south", ("Sydney, Australia", "Sydney, NSW"), 1.5),
    ),
    "GB": (Place("GB", "GB-ENG", "London", 0, "north", ("London", "London, UK", "London, United Kingdom"), 1),),
    "CA": (
        Place("CA", "CA-ON", "Toronto", -300, "north", ("Toronto, Canada", "Toronto, ON"), 1.5),
        Place("CA", "CA-BC", "Vancouver", -480, "north", ("Vancouver, BC", "Vancouver, Canada"), 1),
    ),
    "FR": (Place("FR", "FR-IDF", "Paris", 60, "north", ("Paris, France", "Paris"), 1),),
    "RU": (Place("RU", "RU-MOW", "Moscow", 180, "", ("Moscow, Russia", "Москва"), 1),),
}

COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "CN": ("China", "PRC", "中国", "P.R.China", "Mainland China", "CHINA"),
    "US": ("USA", "United States", "US"),
    "DE": ("Germany", "Deutschland"),
    "IN": ("India",),
    "JP": ("Japan", "日本"),
    "KR": ("South Korea", "Korea"),
    "SG": ("Singapore",),
    "MY": ("Malaysia",),
    "PH": ("Philippines",),
    "TW": ("Taiwan",),
    "HK": ("Hong Kong",),
    "AU": ("Australia",),
    "GB": ("United Kingdom", "UK"),
    "CA": ("Canada",),
    "FR": ("France",),
    "RU": ("Russia",),
}

# Where non-mainland contributors of the Chinese frameworks are, and the baselines' whole mix.
FOREIGN_MIX_CN_FRAMEWORK = {"US": 28, "SG": 9, "TW": 8, "HK": 7, "DE": 6, "JP": 8, "IN": 10, "KR": 5,
                            "GB": 5, "CA": 4, "MY": 3, "PH": 2, "AU": 3, "FR": 1, "RU": 1}
FOREIGN_MIX_BASELINE = {"US": 40, "IN": 12, "DE": 7, "GB": 6, "JP": 4, "CA": 6, "FR": 4, "KR": 3, "SG": 2,
                        "RU": 3, "TW": 2, "AU": 3, "HK": 1, "MY": 1, "PH": 1}

# Deliberate noise: profile locations that name no place (their truth is blank).
NOISE_LOCATIONS = ("Earth", "🌍", "🚀 Mars", "localhost", "127.0.0.1", "Internet", "~", "somewhere",
                   "N/A", "the cloud ☁️", "Milky Way", "/dev/null", "🏠")

CN_SURNAMES = (
    ("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"), ("Huang", "黄"),
    ("Zhao", "赵"), ("Wu", "吴"), ("Zhou", "周"), ("Xu", "徐"), ("Sun", "孙"), ("Ma", "马"), ("Zhu", "朱"),
    ("Hu", "胡"), ("Guo", "郭"), ("He", "何"), ("Lin", "林"), ("Luo", "罗"), ("Gao", "高"), ("Zheng", "郑"),
    ("Liang", "梁"), ("Xie", "谢"), ("Song", "宋"), ("Tang", "唐"), ("Han", "韩"), ("Feng", "冯"), ("Deng", "邓"),
    ("Cao", "曹"), ("Peng", "彭"), ("Zeng", "曾"), ("Xiao", "肖"), ("Tian", "田"), ("Dong", "董"), ("Pan", "潘"),
    ("Yuan", "袁"), ("Cai", "蔡"), ("Jiang", "蒋"), ("Yu", "余"), ("Du", "杜"), ("Ye", "叶"), ("Cheng", "程"),
    ("Wei", "魏"), ("Su", "苏"), ("Lyu", "吕"), ("Ding", "丁"), ("Ren", "任"), ("Shen", "沈"), ("Yao", "姚"),
    ("Lu", "卢"), ("Fu", "傅"), ("Zhong", "钟"),
)
CN_GIVEN = (
    ("Wei", "伟"), ("Fang", "芳"), ("Na", "娜"), ("Min", "敏"), ("Jing", "静"), ("Lei", "磊"), ("Yang", "洋"),
    ("Yong", "勇"), ("Jie", "杰"), ("Tao", "涛"), ("Ming", "明"), ("Chao", "超"), ("Hui", "慧"), ("Jun", "军"),
    ("Xin", "鑫"), ("Hao", "浩"), ("Yu", "宇"), ("Bo", "博"), ("Peng", "鹏"), ("Qiang", "强"), ("Lin", "琳"),
    ("Hua", "华"), ("Kai", "凯"), ("Jian", "健"), ("Rui", "睿"), ("Zhiwei", "志伟"), ("Haoran", "浩然"),
    ("Zihan", "子涵"), ("Yuxuan", "宇轩"), ("Jiahao", "家豪"), ("Xiaoming", "小明"), ("Tianyi", "天翼"),
    ("Yifan", "一帆"), ("Zhiyuan", "志远"), ("Ruoxi", "若曦"), ("Siyu", "思雨"), ("Wenjie", "文杰"),
    ("Junjie", "俊杰"), ("Xinyu", "欣雨"), ("Mingyang", "明阳"), ("Shuai", "帅"), ("Long", "龙"), ("Feng", "峰"),
    ("Dong", "东"), ("Bin", "斌"), ("Gang", "刚"), ("Ping", "平"), ("Qian", "倩"), ("Ying", "颖"), ("Xue", "雪"),
    ("Jiayi", "佳怡"), ("Zhen", "振"), ("Cheng", "成"), ("Hang", "航"), ("Kun", "坤"), ("Liang", "亮"),
    ("Haotian", "昊天"), ("Yuhang", "宇航"), ("Shuo", "硕"), ("Xiang", "翔"),
)
WESTERN_FIRST = ("James", "Mary", "John", "Emma", "Michael", "Olivia", "David", "Sophia", "Daniel", "Ava", "Alex",
                 "Chris", "Sarah", "Kevin", "Laura", "Ryan", "Anna", "Thomas", "Julia", "Mark", "Lukas", "Felix",
                 "Hannah", "Jonas", "Pierre", "Camille", "Ivan", "Olga", "Ethan", "Grace", "Noah", "Liam")
WESTERN_LAST = ("Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Anderson", "Thomas", "Moore",
                "Martin", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Müller", "Schmidt", "Fischer",
                "Weber", "Dubois", "Martin", "Ivanov", "Petrov", "O'Brien", "Nguyen", "Kim", "Lee")
INDIAN_FIRST = ("Aarav", "Priya", "Rahul", "Ananya", "Vikram", "Sneha", "Arjun", "Divya", "Rohan", "Kavya", "Aditya")
INDIAN_LAST = ("Sharma", "Patel", "Gupta", "Reddy", "Iyer", "Singh", "Kumar", "Nair", "Rao", "Mehta")
JAPANESE = (("Haruto", "Sato", "佐藤 陽翔"), ("Yui", "Suzuki", "鈴木 結衣"), ("Ren", "Takahashi", "高橋 蓮"),
            ("Sota", "Tanaka", "田中 蒼大"), ("Aoi", "Watanabe", "渡辺 葵"), ("Kenji", "Ito", "伊藤 健二"))
KOREAN = (("Minjun", "Kim"), ("Seoyeon", "Lee"), ("Jiho", "Park"), ("Hayoon", "Choi"), ("Doyun", "Jung"))

LOGIN_WORDS = ("cloud", "deep", "neural", "tensor", "code", "dev", "ai", "ml", "data", "pixel", "byte", "lambda",
               "vision", "light", "sky", "ocean", "river", "tiger", "panda", "dragon", "moon", "star", "fox",
               "kernel", "graph", "matrix", "quant", "robot", "hacker", "ninja", "coder", "learner")

# Companies and schools people write in the company field, with the email domain some of them use.
OTHER_EMPLOYERS_CN = (
    ("ByteDance", ("ByteDance", "@bytedance", "字节跳动"), "bytedance.com"),
    ("SenseTime", ("SenseTime", "商汤科技"), "sensetime.com"),
    ("Xiaomi", ("Xiaomi", "小米"), "xiaomi.com"),
    ("Meituan", ("Meituan", "美团"), "meituan.com"),
    ("JD", ("JD.com", "京东"), "jd.com"),
    ("Kuaishou", ("Kuaishou",), "kuaishou.com"),
    ("iFlytek", ("iFlytek", "科大讯飞"), "iflytek.com"),
    ("Cambricon", ("Cambricon",), "cambricon.com"),
    ("Zhejiang Lab", ("Zhejiang Lab", "之江实验室"), "zhejianglab.com"),
    ("Peking University", ("Peking University", "北京大学", "PKU"), "pku.edu.cn"),
    ("Zhejiang University", ("Zhejiang University", "浙江大学", "ZJU"), "zju.edu.cn"),
    ("Shanghai Jiao Tong University", ("Shanghai Jiao Tong University", "SJTU"), "sjtu.edu.cn"),
    ("Fudan University", ("Fudan University", "复旦大学"), "fudan.edu.cn"),
    ("USTC", ("USTC", "中国科学技术大学"), "mail.ustc.edu.cn"),
)
OTHER_EMPLOYERS_INTL = (
    ("Microsoft", ("Microsoft", "@microsoft"), "microsoft.com"),
    ("NVIDIA", ("NVIDIA", "@NVIDIA"), "nvidia.com"),
    ("Intel", ("Intel Corporation", "Intel"), "intel.com"),
    ("AMD", ("AMD",), "amd.com"),
    ("MIT", ("MIT",), "mit.edu"),
    ("Stanford University", ("Stanford University",), "stanford.edu"),
    ("CMU", ("Carnegie Mellon University", "CMU"), "cmu.edu"),
    ("TU Munich", ("TU Munich", "TUM"), "tum.de"),
    ("University of Tokyo", ("The University of Tokyo",), "g.ecc.u-tokyo.ac.jp"),
)
NO_EMPLOYER_COMPANY = ("", "", "", "", "Student", "Freelancer", "N/A", "-", "Independent", "个人开发者", "Open Source")

# Every vendor of the default catalogue: how staff write the company field. Vendors not listed use their name.
VENDOR_COMPANY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Baidu": ("@baidu", "Baidu", "Baidu Inc.", "百度", "BAIDU", "@PaddlePaddle @baidu"),
    "Huawei": ("Huawei Technologies", "Huawei", "@huawei", "华为", "Huawei Technologies Co., Ltd."),
    "Megvii": ("Megvii", "MEGVII Technology", "旷视科技", "@megvii"),
    "OneFlow": ("OneFlow", "@Oneflow-Inc", "一流科技", "OneFlow Inc."),
    "Tsinghua University": ("Tsinghua University", "清华大学", "Tsinghua Univ."),
    "Tencent": ("Tencent", "@Tencent", "腾讯", "Tencent AI Lab"),
    "Alibaba": ("Alibaba Group", "@alibaba", "阿里巴巴", "Alibaba Inc."),
    "Google": ("Google", "@google", "Google LLC"),
    "Meta": ("Meta", "Facebook", "@facebook", "Meta AI"),
}
VENDOR_CITY = {"Baidu": "Beijing", "Huawei": "Shenzhen", "Megvii": "Beijing", "OneFlow": "Beijing",
               "Tsinghua University": "Beijing", "Tencent": "Shenzhen", "Alibaba": "Hangzhou"}

PERSONAL_DOMAINS_CN = (("qq.com", 30), ("163.com", 12), ("126.com", 4), ("foxmail.com", 5), ("gmail.com", 25),
                       ("outlook.com", 8), ("hotmail.com", 3), ("sina.com", 2))
PERSONAL_DOMAINS_INTL = (("gmail.com", 60), ("outlook.com", 8), ("hotmail.com", 6), ("yahoo.com", 4),
                         ("protonmail.com", 3), ("icloud.com", 3))
NOREPLY_GITHUB = "users.noreply.github.com"
NOREPLY_GITEE = "user.noreply.gitee.com"

BLOG_TEMPLATES = ("https://{login}.github.io", "https://blog.csdn.net/{login}", "https://www.zhihu.com/people/{login}",
                  "https://{login}.dev", "{login}.me", "https://medium.com/@{login}", "https://juejin.cn/user/{num}")
BIOS = ("Deep learning engineer", "PhD student in computer vision", "深度学习 / 计算机视觉", "Compiler hacker",
        "Open source enthusiast", "MLSys", "Working on inference engines", "Just a coder", "热爱开源",
        "GPU kernels and things", "NLP researcher", "")

COMMIT_SUBJECTS = (
    "Fix typo in {area} docs", "Add {area} unit tests", "[{AREA}] fix memory leak in {area}",
    "Refine {area} API", "Support bfloat16 in {area}", "Update {area} kernel for new CUDA",
    "Remove deprecated {area} code", "修复{area}模块的bug", "优化{area}性能", "新增{area}算子",
    "Merge pull request #{num} from {login}/{area}", "[CI] update {area} pipeline", "Bump version to {ver}",
    "Polish {area} error messages", "[Cherry-pick] fix {area} on Windows", "Fix {area} shape inference",
)
AREAS = ("conv2d", "matmul", "optimizer", "dataloader", "autograd", "jit", "distributed", "profiler", "quant",
         "onnx", "cuda", "cpu", "io", "vision", "amp", "serving", "docs", "build", "lite", "sparse")

BOT_DEFS: dict[str, tuple[str, ...]] = {
    # name -> platforms where it has an account; its commit name/email/login match the catalogue's bot patterns
    "dependabot[bot]": ("github",),
    "github-actions[bot]": ("github",),
    "mergify[bot]": ("github",),
    "pre-commit-ci[bot]": ("github",),
    "paddle-bot": ("github",),
    "mindspore-ci-bot": ("gitee",),
    "oneflow-ci-bot": ("github",),
    "i-robot": ("gitee",),
    "jenkins-build": ("github",),
}
BOT_FIXED_IDS = {"dependabot[bot]": 49699333, "github-actions[bot]": 41898282, "mergify[bot]": 37929162,
                 "pre-commit-ci[bot]": 66853113}

DEFAULT_BRANCHES = ("master", "main", "develop")
RENAME_SUFFIXES = ("-core", "-ml", "-engine", "-project", "2", "-framework")


@dataclass(frozen=True)
class FrameworkProfile:
    """Shape of one framework's ecosystem at scale 1."""

    commits: int  # default-branch commits of the primary
    authors: int  # human authors
    stars: int  # stargazers of the primary
    forks: int
    cn_share: float  # share of located human authors in mainland China
    staff_share: float  # share of human authors who work for the vendor
    staff_commit_share: float  # share of human commits written by the vendor's staff
    bot_commit_share: float
    created: str  # creation date of the primary (ISO)
    default_branch: str
    releases: int
    dependents: dict[str, int] = field(default_factory=dict)  # PyPI package -> dependent repositories
    top_author_share: float = 0.0  # one staff export account writing this share of commits (MegEngine)
    ecosystem: tuple[str, ...] = ()  # names of other repositories of the vendor's organisations
    bots: tuple[str, ...] = ("dependabot[bot]", "github-actions[bot]")


PROFILES: dict[str, FrameworkProfile] = {
    "PaddlePaddle": FrameworkProfile(2200, 620, 2500, 500, 0.9, 0.22, 0.62, 0.04, "2016-08-15", "develop", 40,
                                     {"paddlepaddle": 70, "paddlepaddle-gpu": 25},
                                     ecosystem=("PaddleOCR", "PaddleNLP", "PaddleDetection", "PaddleSeg", "PaddleClas",
                                                "Paddle-Lite", "PaddleHub", "PaddleSpeech"),
                                     bots=("paddle-bot", "dependabot[bot]", "github-actions[bot]")),
    "MindSpore": FrameworkProfile(2000, 350, 1500, 600, 0.93, 0.45, 0.8, 0.06, "2020-03-27", "master", 30,
                                  {"mindspore": 30},
                                  ecosystem=("models", "docs", "mindformers", "mindquantum", "akg", "graphengine"),
                                  bots=("mindspore-ci-bot", "i-robot")),
    "MegEngine": FrameworkProfile(600, 50, 800, 120, 0.95, 0.3, 0.95, 0.0, "2020-03-23", "master", 25,
                                  {"megengine": 10}, top_author_share=0.9,
                                  ecosystem=("Models", "MegCC", "MegFlow", "Documents", "MegPeak"), bots=()),
    "OneFlow": FrameworkProfile(1500, 180, 900, 150, 0.92, 0.3, 0.6, 0.16, "2020-07-31", "master", 30,
                                {"oneflow": 12}, ecosystem=("models", "libai", "oneflow-documentation", "serving"),
                                bots=("oneflow-ci-bot", "mergify[bot]", "github-actions[bot]")),
    "Jittor": FrameworkProfile(500, 70, 500, 80, 0.9, 0.35, 0.7, 0.0, "2020-03-19", "master", 20, {"jittor": 8},
                               ecosystem=("JNeRF", "jrender", "gan-jittor", "jittor-utils"), bots=()),
    "Angel": FrameworkProfile(700, 80, 700, 150, 0.88, 0.3, 0.55, 0.01, "2017-06-01", "master", 15, {},
                              ecosystem=("PyTorch-On-Angel", "sona", "serving", "automl")),
    "Alink": FrameworkProfile(400, 40, 600, 120, 0.92, 0.5, 0.8, 0.0, "2019-11-27", "master", 12, {"pyalink": 5}),
    "MNN": FrameworkProfile(900, 140, 1200, 250, 0.85, 0.15, 0.5, 0.02, "2019-04-12", "master", 25, {"MNN": 10}),
    "ncnn": FrameworkProfile(1000, 300, 1800, 400, 0.8, 0.03, 0.38, 0.03, "2017-06-30", "master", 30, {"ncnn": 10},
                             bots=("github-actions[bot]", "dependabot[bot]")),
    "TensorFlow": FrameworkProfile(2000, 450, 3000, 800, 0.08, 0.3, 0.7, 0.08, "2015-11-07", "master", 40,
                                   {"tensorflow": 300}, ecosystem=("models", "docs", "tensorboard", "addons", "serving"),
                                   bots=("github-actions[bot]", "dependabot[bot]")),
    "PyTorch": FrameworkProfile(2000, 500, 3000, 800, 0.12, 0.3, 0.55, 0.05, "2016-08-13", "main", 40,
                                {"torch": 1500}, ecosystem=("vision", "audio", "text", "tutorials", "examples"),
                                bots=("pytorch-bot[bot]", "github-actions[bot]", "dependabot[bot]",
                                      "pre-commit-ci[bot]")),
}
BOT_DEFS["pytorch-bot[bot]"] = ("github",)

DEFAULT_PROFILE = FrameworkProfile(500, 60, 400, 80, 0.85, 0.3, 0.6, 0.02, "2019-01-01", "master", 10, {})

# Manifest files code search looks at, and how often a dependent declares a package in each.
MANIFESTS = (("requirements.txt", 0.8), ("setup.py", 0.25), ("pyproject.toml", 0.15))
DEPENDENT_NAME_WORDS = ("ocr", "detector", "demo", "classifier", "toolkit", "lab", "playground", "inference",
                        "training", "examples", "notes", "service", "bot", "pipeline", "benchmark", "homework",
                        "tutorial", "app", "server", "research")

# Hostile strings planted in profiles and descriptions (tests look for each of them).
HOSTILE_HTML = '<script>alert("synthetic")</script><b>bold</b>'
HOSTILE_FORMULAS = ('=HYPERLINK("http://example.invalid","click")', "+86 138 0000 0000", "-@SUM(A1:A9)",
                    "@import url(evil.css)")
HOSTILE_CONTROL = "Beijing\x00\x1b[31m\x07"
HOSTILE_BIO_KB = 10
