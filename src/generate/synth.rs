//! Synthetic documents shaped like the bundled one: its distributions of categories, tasks,
//! leads per task, responsible units, collectives and indicators, per region.

use chrono::NaiveDate;

use super::rng::Rng;
use crate::import::model::{ParsedCategory, ParsedDocument, ParsedTask};

/// What the bundled document looks like, measured once.
pub struct Shape {
    /// Task texts (indicators come from them through the real extractor).
    contents: Vec<String>,
    categories: Vec<String>,
    /// Department names of the seed region with the region name cut out, collectives apart.
    agencies: Vec<String>,
    collectives: Vec<String>,
    /// Observed (leads, responsible, collectives among responsible) per task.
    assignment_shapes: Vec<(usize, usize, usize)>,
}

/// Region names for synthetic documents; numbered beyond this list.
const REGIONS: &[&str] = &[
    "北京",
    "天津",
    "上海",
    "重庆",
    "石家庄",
    "太原",
    "呼和浩特",
    "沈阳",
    "长春",
    "哈尔滨",
    "南京",
    "杭州",
    "合肥",
    "福州",
    "南昌",
    "济南",
    "郑州",
    "武汉",
    "长沙",
    "广州",
    "南宁",
    "海口",
    "成都",
    "贵阳",
    "昆明",
    "拉萨",
    "西安",
    "兰州",
    "西宁",
    "银川",
    "乌鲁木齐",
    "大连",
    "青岛",
    "宁波",
    "厦门",
    "深圳",
    "苏州",
    "无锡",
    "佛山",
    "东莞",
    "温州",
    "泉州",
    "烟台",
    "唐山",
    "徐州",
    "常州",
    "南通",
    "绍兴",
    "嘉兴",
    "金华",
    "台州",
    "潍坊",
    "临沂",
    "洛阳",
    "襄阳",
    "宜昌",
    "岳阳",
    "株洲",
    "珠海",
    "中山",
    "惠州",
    "江门",
    "柳州",
    "桂林",
    "绵阳",
    "遵义",
    "曲靖",
    "宝鸡",
    "榆林",
    "包头",
    "鄂尔多斯",
    "鞍山",
    "吉林",
    "大庆",
    "扬州",
    "盐城",
    "镇江",
    "泰州",
    "芜湖",
    "赣州",
    "九江",
    "淄博",
    "济宁",
    "威海",
    "南阳",
    "许昌",
    "漳州",
    "汕头",
];

impl Shape {
    /// Measures `seed` (the parsed bundled document).
    pub fn of(seed: &ParsedDocument) -> Self {
        let strip = |n: &str| n.replacen(&seed.region, "{R}", 1);
        let mut agencies = Vec::new();
        let mut collectives = Vec::new();
        let mut assignment_shapes = Vec::new();
        for t in &seed.tasks {
            let mut coll = 0;
            for n in t.leads.iter().chain(&t.responsible) {
                let list = if crate::import::kind::is_collective(n) { &mut collectives } else { &mut agencies };
                let s = strip(n);
                if !list.contains(&s) {
                    list.push(s);
                }
            }
            for n in &t.responsible {
                if crate::import::kind::is_collective(n) {
                    coll += 1;
                }
            }
            assignment_shapes.push((t.leads.len(), t.responsible.len() - coll, coll));
        }
        Self {
            contents: seed.tasks.iter().map(|t| t.content.replace(&seed.region, "{R}")).collect(),
            categories: seed.categories.iter().map(|c| c.name.clone()).collect(),
            agencies,
            collectives,
            assignment_shapes,
        }
    }

    /// Synthetic document `index` (0-based) for `seed`.
    pub fn document(&self, rng: &mut Rng, index: usize) -> ParsedDocument {
        let region = match REGIONS.get(index / YEARS) {
            Some(r) => (*r).to_owned(),
            None => format!("{}{}", REGIONS[(index / YEARS) % REGIONS.len()], index / YEARS / REGIONS.len() + 1),
        };
        let year = 2019 + (index % YEARS) as i32;
        let n_categories = rng.range(20, 30);
        let n_tasks = rng.range(120, 140);
        let categories: Vec<ParsedCategory> = (1..=n_categories as i32)
            .map(|number| ParsedCategory { number, name: rng.pick(&self.categories).clone() })
            .collect();
        // A region's pool: about 60 departments, with the real mix of kinds.
        let pool: Vec<String> = self.agencies.iter().map(|a| a.replace("{R}", &region)).collect();
        let collectives: Vec<String> = self.collectives.iter().map(|c| c.replace("{R}", &region)).collect();
        let mut tasks = Vec::with_capacity(n_tasks);
        for i in 0..n_tasks {
            let number = i as i32 + 1;
            // Spread tasks over categories in order, every category non-empty.
            let category_number = (i * n_categories / n_tasks) as i32 + 1;
            let (n_leads, n_resp, n_coll) = *rng.pick(&self.assignment_shapes);
            let mut names: Vec<String> = Vec::new();
            let mut draw = |rng: &mut Rng, from: &[String], n: usize, out: &mut Vec<String>| {
                let mut tries = 0;
                while out.len() < n && tries < 10 * n + 10 {
                    tries += 1;
                    let name = rng.pick(from);
                    if !names.contains(name) {
                        names.push(name.clone());
                        out.push(name.clone());
                    }
                }
            };
            let mut leads = Vec::new();
            draw(rng, &pool, n_leads, &mut leads);
            let mut responsible = Vec::new();
            draw(rng, &pool, n_resp, &mut responsible);
            let mut coll = Vec::new();
            draw(rng, &collectives, n_coll, &mut coll);
            responsible.extend(coll);
            tasks.push(ParsedTask {
                number,
                category_number,
                content: rng.pick(&self.contents).replace("{R}", &region),
                leads,
                responsible,
                line: 0,
                deadline: None,
                columns: Vec::new(),
            });
        }
        ParsedDocument {
            region: region.clone(),
            // Marked as synthetic, so it never clashes with a real list of the same region and year.
            title: format!("{region}市{year}年优化营商环境责任清单（模拟）"),
            issuer: format!("{region}市政务服务办"),
            issued_on: NaiveDate::from_ymd_opt(year, 1, 6).unwrap_or_default(),
            year,
            schedule: Vec::new(),
            categories,
            tasks,
        }
    }
}

/// Years per region: documents cycle through them before moving to the next region.
pub const YEARS: usize = 5;
