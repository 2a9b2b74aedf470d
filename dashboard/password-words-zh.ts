// What people in China try first as passwords, for zxcvbn (no maintained zxcvbn-ts package covers
// Chinese or pinyin): a small curated list, most common first (zxcvbn ranks a word by its place).
// Drawn from the patterns of the leaked Chinese password corpora (CSDN 2011, 12306 2014) as
// studies of them report (Li, Han and Xu, USENIX Security 2014: pinyin names, dates, 520/1314
// "I love you for a lifetime" digits, keyboard runs, city names), and from the surnames and
// given-name syllables most common in China. zxcvbn joins these with years, dates, repeats and
// l33t on its own, so `zhangwei1988` or `Zibo@2024!!` score as the few guesses they are.

/** Words and digit strings tried as a whole. */
const WORDS = [
  'woaini', 'aini', 'woaini1314', '5201314', '1314520', '520', '1314', '521', '5211314', '1314521', 'aiwo',
  'iloveyou', 'woaiwojia', 'woaini520', 'wojiaoni', 'nihao', 'nihaoma', 'zhongguo', 'china', 'zhonghua',
  'zhongguoren', 'baobao', 'baobei', 'laogong', 'laopo', 'mama', 'baba', 'yeye', 'nainai', 'xiaobao',
  'xingfu', 'kuaile', 'pingan', 'jiankang', 'fuqi', 'tiantian', 'xiaoxiao', 'aiqing', 'yongyuan', 'yiqi',
  'mima', 'mima123', 'zhimakaimen', 'qq', 'qq123', 'weixin', 'taobao', 'baidu', 'tencent', 'huawei',
  '888', '8888', '88888888', '666', '666666', '168', '1688', '518', '5188', '9999', '7758521', '147258',
  '147258369', '159357', '159753', '123321', '112233', '110', '119', '120', '147369', '789456', '456789',
  'abc123', 'a123456', 'qwe123', 'asd123', 'zxc123', 'aa123456', 'q1w2e3r4', '1qaz2wsx', 'qazwsx',
  // Places: the programme's city and districts, Shandong's cities, China's largest cities.
  'zibo', 'zhangdian', 'zichuan', 'boshan', 'linzi', 'zhoucun', 'huantai', 'gaoqing', 'yiyuan', 'shandong',
  'jinan', 'qingdao', 'yantai', 'weifang', 'weihai', 'jining', 'taian', 'linyi', 'dezhou', 'liaocheng',
  'binzhou', 'dongying', 'rizhao', 'zaozhuang', 'heze', 'beijing', 'shanghai', 'tianjin', 'chongqing',
  'guangzhou', 'shenzhen', 'hangzhou', 'nanjing', 'wuhan', 'chengdu', 'xian', 'suzhou', 'shenyang',
  'haerbin', 'changsha', 'zhengzhou', 'kunming', 'xiamen', 'dalian', 'fuzhou', 'hefei', 'nanchang',
  'guiyang', 'nanning', 'taiyuan', 'shijiazhuang', 'lanzhou', 'huhehaote', 'wulumuqi', 'lasa', 'xianggang',
  'aomen', 'taiwan', 'taibei',
  // Words of this service and its programme.
  'tongxing', 'yanglao', 'laoren', 'jiating', 'huli', 'hugong', 'shouhuan', 'dingwei', 'anquan',
]

/** The most common surnames (pinyin), in order of frequency. */
const SURNAMES = [
  'wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu',
  'guo', 'he', 'gao', 'lin', 'luo', 'zheng', 'liang', 'xie', 'song', 'tang', 'han', 'feng', 'deng', 'cao',
  'peng', 'zeng', 'xiao', 'tian', 'dong', 'pan', 'yuan', 'cai', 'jiang', 'yu', 'du', 'ye', 'cheng', 'wei',
  'su', 'lu', 'ding', 'ren', 'shen', 'yao', 'jin', 'fu', 'zhong', 'cui', 'tan', 'lv', 'fan', 'shi', 'qian',
  'kong', 'bai', 'meng', 'qin', 'qiu', 'hou', 'xiong', 'yin', 'jia', 'gu', 'hao', 'shao', 'wan', 'duan',
  'lei', 'tao', 'niu', 'chang', 'mao', 'qi', 'gong', 'wen', 'ouyang', 'shangguan', 'zhuge', 'sima',
]

/** Given-name syllables and whole given names most often met. */
const GIVEN = [
  'wei', 'fang', 'na', 'min', 'jing', 'li', 'qiang', 'lei', 'jun', 'yang', 'yong', 'yan', 'jie', 'juan',
  'tao', 'ming', 'chao', 'xiuying', 'xia', 'ping', 'gang', 'gui', 'hua', 'hong', 'hui', 'mei', 'lan', 'ying',
  'xin', 'yu', 'hao', 'bo', 'peng', 'fei', 'bin', 'kai', 'long', 'feng', 'lin', 'ning', 'dan', 'qing', 'yun',
  'xiaoming', 'xiaohong', 'xiaoli', 'xiaoyan', 'xiaojun', 'xiaoyu', 'jianguo', 'jianhua', 'jianjun',
  'guilan', 'guiying', 'xiulan', 'xiuzhen', 'yuying', 'yulan', 'haiyan', 'haitao', 'zhiqiang', 'zhiming',
  'wenjie', 'junjie', 'jiahao', 'zihan', 'yuxuan', 'haoran', 'yichen', 'zixuan', 'xinyi', 'shuang', 'tingting',
  'lili', 'jingjing', 'feifei', 'dandan', 'lingling', 'weiwei', 'guoqiang', 'dehua', 'shuzhen', 'fengying',
]

/** The dictionary zxcvbn is given, by name (each list ranked by its order). */
export const ZH_DICTIONARY: Record<string, string[]> = {
  'zh-words': WORDS,
  'zh-surnames': SURNAMES,
  'zh-given': GIVEN,
  // The most common full names as one word each (surname then given name, as typed).
  'zh-names': SURNAMES.flatMap((s) => GIVEN.map((g) => s + g)),
}
